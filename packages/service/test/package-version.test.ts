import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { readPackageVersion } from '../src/package-version.js';

it('readPackageVersion reads the version of a package.json', () => {
  const url = new URL('../package.json', import.meta.url);
  expect(readPackageVersion(url)).toBe(
    (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version,
  );
});
