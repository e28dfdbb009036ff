import { readdirSync } from 'node:fs';
import type { Entry } from '@raft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WRITE_BUFFER_BYTES, openLevelStorage } from '../src/index.js';
import { TempDirectories } from './temp-directories.js';

const directories = new TempDirectories();
afterAll(() => directories.removeAll());

/** Sorted table files LevelDB has written out of its write buffer so far. */
const tableFiles = (directory: string): string[] =>
  readdirSync(directory).filter((name) => name.endsWith('.ldb'));

/** Appends about `megabytes` MiB of 1 KiB entries, 256 per synced batch. */
async function appendMegabytes(
  directory: string,
  megabytes: number,
  writeBufferBytes?: number,
): Promise<void> {
  const storage = await openLevelStorage(
    writeBufferBytes === undefined ? { directory } : { directory, writeBufferBytes },
  );
  // Distinct bytes per entry: Snappy must not shrink the batches below the buffer's size.
  const data = (index: number): Uint8Array =>
    Uint8Array.from({ length: 1024 }, (_, i) => (index * 31 + i * 7) % 251);
  let index = 0;
  for (let batch = 0; batch < megabytes * 4; batch++) {
    const entries: Entry[] = [];
    for (let i = 0; i < 256; i++) {
      index++;
      entries.push({ index, term: 1, type: 'normal', data: data(index) });
    }
    await storage.persist({ hardState: { term: 1, vote: '', commit: 0 }, entries });
  }
  await storage.close();
}

describe('writeBufferBytes', () => {
  it("is LevelDB's 4 MiB by default, and a larger one keeps 6 MiB of entries in memory", async () => {
    expect(DEFAULT_WRITE_BUFFER_BYTES).toBe(4 * 1024 * 1024);
    const small = directories.makeMissing('default-buffer');
    await appendMegabytes(small, 6);
    expect(tableFiles(small).length).toBeGreaterThan(0);
    const large = directories.makeMissing('large-buffer');
    await appendMegabytes(large, 6, 64 * 1024 * 1024);
    expect(tableFiles(large)).toEqual([]);
  });

  it('refuses sizes LevelDB would not honour, before opening anything', async () => {
    for (const writeBufferBytes of [0, 1024, 2 ** 31, 65_536.5, Number.NaN]) {
      const directory = directories.makeMissing('bad-buffer');
      await expect(openLevelStorage({ directory, writeBufferBytes })).rejects.toBeInstanceOf(RangeError);
      expect(() => readdirSync(directory)).toThrow();
    }
  });
});
