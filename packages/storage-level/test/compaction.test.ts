import type { Entry } from '@raft/core';
import { ClassicLevel } from 'classic-level';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FORMAT_VERSION, type LevelStorage, openLevelStorage } from '../src/index.js';
import {
  decodeFormatVersion,
  ENTRY_KEYS_END,
  ENTRY_KEYS_START,
  FORMAT_VERSION_KEY,
} from '../src/key-layout.js';
import { withRawLevel } from './raw-level.js';
import { TempDirectories } from './temp-directories.js';

// Compaction syncs only the new bound; the discarded entries are deleted after it, beside later calls,
// and whatever a crash leaves of them is deleted at the next open.
const directories = new TempDirectories();
afterAll(() => directories.removeAll());

const config = { voters: ['a'], outgoingVoters: [], learners: [] };

function entry(index: number): Entry {
  return { index, term: 1, type: 'normal', data: Uint8Array.of(index % 256, 0xaa) };
}

/** Every stored entry key and value, read below the store's API. */
function rawEntries(directory: string): Promise<[Uint8Array, Uint8Array][]> {
  return withRawLevel(directory, (db) => db.iterator({ gte: ENTRY_KEYS_START, lt: ENTRY_KEYS_END }).all());
}

/** A store holding entries 1..`length` and a snapshot at `snapshotIndex`. */
async function storeWithSnapshot(directory: string, length: number, snapshotIndex: number) {
  const storage = await openLevelStorage({ directory });
  const entries = Array.from({ length }, (_, i) => entry(i + 1));
  await storage.persist({ hardState: { term: 1, vote: 'a', commit: length }, entries });
  const writer = await storage.beginSnapshot({ index: snapshotIndex, term: 1, config });
  await writer.write(Uint8Array.of(1, 2, 3));
  await writer.save();
  return storage;
}

describe('log compaction on LevelStorage', () => {
  let storage: LevelStorage | undefined;
  afterEach(async () => {
    await storage?.close();
    storage = undefined;
  });

  it('writes only the compaction bound in the synced batch, not one deletion per discarded entry', async () => {
    const directory = directories.makeMissing('compact-batch');
    storage = await storeWithSnapshot(directory, 2_000, 1_500);
    const syncedBatchSizes: number[] = [];
    const batch = ClassicLevel.prototype.batch;
    const spied = function (this: ClassicLevel, ...args: unknown[]) {
      const made = (batch as (...a: unknown[]) => unknown).apply(this, args);
      if (args.length === 0) {
        const chained = made as { length: number; write(options?: { sync?: boolean }): Promise<void> };
        const write = chained.write.bind(chained);
        chained.write = (options) => {
          if (options?.sync === true) syncedBatchSizes.push(chained.length);
          return write(options);
        };
      }
      return made;
    };
    ClassicLevel.prototype.batch = spied as typeof batch;
    try {
      await storage.compact(1_200);
    } finally {
      ClassicLevel.prototype.batch = batch;
    }
    // The bound, and the format version the first compaction stamps: nothing that grows with the log.
    expect(syncedBatchSizes.length).toBe(1);
    expect(syncedBatchSizes[0]).toBeLessThanOrEqual(2);
    expect(await storage.firstIndex()).toBe(1_201);
    expect((await storage.entries(1_201, 1_203)).map((e) => e.index)).toEqual([1_201, 1_202]);
  });

  it('has deleted the discarded entries by the time close resolves', async () => {
    const directory = directories.makeMissing('compact-deleted');
    storage = await storeWithSnapshot(directory, 300, 250);
    await storage.compact(200);
    await storage.close();
    storage = undefined;
    const keys = await rawEntries(directory);
    expect(keys.length).toBe(100);
  });

  it('deletes entries a crash left at or below the compaction bound when it opens, and keeps the log', async () => {
    const directory = directories.makeMissing('compact-stale');
    storage = await storeWithSnapshot(directory, 30, 25);
    await storage.close();
    storage = undefined;
    const before = await rawEntries(directory);
    storage = await openLevelStorage({ directory });
    await storage.compact(20);
    await storage.close();
    storage = undefined;
    // What a crash right after the bound's synced write leaves: the discarded entries still stored.
    await withRawLevel(directory, async (db) => {
      for (const [key, value] of before.slice(5, 20)) await db.put(key, value);
    });
    expect((await rawEntries(directory)).length).toBe(25);

    storage = await openLevelStorage({ directory });
    const loaded = await storage.load();
    expect(loaded.entries.map((e) => e.index)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
    expect(loaded.compacted).toEqual({ index: 20, term: 1 });
    await storage.close();
    storage = undefined;
    expect((await rawEntries(directory)).length).toBe(10);
    const version = await withRawLevel(directory, (db) => db.get(FORMAT_VERSION_KEY));
    expect(decodeFormatVersion(version!)).toBe(FORMAT_VERSION);
  });

  it('deletes the entries an install discards at or below the snapshot after its batch', async () => {
    const directory = directories.makeMissing('install-deleted');
    storage = await openLevelStorage({ directory });
    const entries = Array.from({ length: 50 }, (_, i) => entry(i + 1));
    await storage.persist({ hardState: { term: 1, vote: 'a', commit: 10 }, entries });
    // A snapshot from a newer term at 40: the log disagrees there, so all of it goes (Raft §7).
    const writer = await storage.beginSnapshot({ index: 40, term: 2, config });
    await writer.write(Uint8Array.of(9));
    await writer.install();
    expect(await storage.firstIndex()).toBe(41);
    expect(await storage.lastIndex()).toBe(40);
    await storage.persist({ entries: [{ ...entry(41), term: 2 }] });
    await storage.close();
    storage = undefined;
    const keys = await rawEntries(directory);
    expect(keys.length).toBe(1);
    storage = await openLevelStorage({ directory });
    expect((await storage.load()).entries.map((e) => [e.index, e.term])).toEqual([[41, 2]]);
  });
});
