import { readFileSync } from 'node:fs';

/**
 * The `version` of a package.json, for `--version`: pass `new URL('../package.json', import.meta.url)`
 * from the service's entry module.
 */
export function readPackageVersion(packageJson: URL): string {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${packageJson.href} has no version`);
  return manifest.version;
}
