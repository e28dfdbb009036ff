import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

/**
 * Compiles this package's src into a private directory and returns the path of its `index.js`, for
 * child processes that must run the real package, not vitest's in-process transform.
 *
 * Why not `dist`: turbo's `test` task depends on `^build` only, so `dist` may be stale or missing, and
 * a `build` running next to the tests could be rewriting it. The private copy lives under this
 * package's `node_modules/.cache`, so it is git-ignored and resolves `@raft/core` and `classic-level`
 * exactly as `dist` would. It costs one `tsc` run (a few seconds) per test file that needs it.
 */
export function buildForChildren(name: string): string {
  const outDir = join(packageDirectory, 'node_modules', '.cache', `storage-level-${name}`);
  const tsc = createRequire(join(packageDirectory, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      ...['-p', join(packageDirectory, 'tsconfig.build.json')],
      ...['--outDir', outDir, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'],
    ],
    { cwd: packageDirectory, stdio: 'pipe' },
  );
  return join(outDir, 'index.js');
}
