import type { Entry } from '@raft/core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sealValue } from '../src/checked-value.js';
import { openLevelStorage } from '../src/index.js';
import { entryKey, HARD_STATE_KEY } from '../src/key-layout.js';
import { type BinaryLevel, readEntries } from '../src/stored-records.js';
import { withRawLevel as withRawDirectory } from './raw-level.js';
import { TempDirectories } from './temp-directories.js';

// Damage is done the way a disk or a stray tool would: through a second, raw classic-level handle on
// the closed directory, below the store's own API.
const directories = new TempDirectories();
afterAll(() => directories.removeAll());

const LOG_LENGTH = 6;
let directory: string;

function entry(index: number): Entry {
  return { index, term: 1 + Math.floor(index / 3), type: 'normal', data: Uint8Array.of(index, 0xaa, index) };
}

beforeEach(async () => {
  directory = directories.makeMissing('corrupt');
  const storage = await openLevelStorage({ directory });
  const entries = Array.from({ length: LOG_LENGTH }, (_, i) => entry(i + 1));
  await storage.persist({ hardState: { term: 3, vote: 'a', commit: 4 }, entries });
  await storage.close();
});

function withRawLevel<T>(body: (db: BinaryLevel) => Promise<T>): Promise<T> {
  return withRawDirectory(directory, body);
}

/** Rewrites the stored value under `key` with `change` applied to a copy of it. */
function damage(key: Uint8Array, change: (value: Uint8Array) => Uint8Array): Promise<void> {
  return withRawLevel(async (db) => {
    const value = await db.get(key);
    if (value === undefined) throw new Error('nothing stored under that key');
    await db.put(key, change(Uint8Array.from(value)));
  });
}

function flipByte(position: (value: Uint8Array) => number) {
  return (value: Uint8Array) => {
    value[position(value)]! ^= 0x01;
    return value;
  };
}

async function storedKeyCount(): Promise<number> {
  return withRawLevel(async (db) => (await db.keys().all()).length);
}

function openFails(expected: Record<string, unknown>) {
  return expect(openLevelStorage({ directory })).rejects.toMatchObject({
    code: 'RAFT_STORAGE_CORRUPT',
    directory,
    ...expected,
  });
}

describe('corruption is detected at open, named by directory and index, and nothing is truncated', () => {
  it('one flipped bit in an entry payload fails its checksum', async () => {
    await damage(
      entryKey(4),
      flipByte((value) => value.length - 1),
    );
    const keysBefore = await storedKeyCount();
    await openFails({ record: 'entry', index: 4 });
    expect(await storedKeyCount()).toBe(keysBefore);
  });

  it('a flipped bit in the stored checksum itself is caught', async () => {
    await damage(
      entryKey(2),
      flipByte(() => 0),
    );
    await openFails({ record: 'entry', index: 2 });
  });

  it('a damaged hard state is caught (a wrong vote could elect two leaders)', async () => {
    await damage(
      HARD_STATE_KEY,
      flipByte((value) => value.length - 1),
    );
    await openFails({ record: 'hard-state', index: undefined });
  });

  it('a value cut short (fewer bytes than a checksum) is caught', async () => {
    await damage(entryKey(5), (value) => value.subarray(0, 2));
    await openFails({ record: 'entry', index: 5 });
  });

  it('a missing entry in the middle of the log is a hole, reported at the missing index', async () => {
    await withRawLevel((db) => db.del(entryKey(3)));
    await openFails({ record: 'entry', index: 3 });
    expect(await storedKeyCount()).toBe(1 + 1 + LOG_LENGTH - 1);
  });

  it('a missing first entry is a hole at index 1', async () => {
    await withRawLevel((db) => db.del(entryKey(1)));
    await openFails({ record: 'entry', index: 1 });
  });

  it('a valid entry stored under another index is caught by the index in its frame', async () => {
    await withRawLevel(async (db) => {
      const third = await db.get(entryKey(3));
      await db.put(entryKey(5), third!);
    });
    await openFails({ record: 'entry', index: 5 });
  });

  it('a frame with a matching checksum that the codec refuses is caught', async () => {
    await damage(entryKey(6), () => sealValue(Uint8Array.of(0x01, 0x02, 0xff)));
    await openFails({ record: 'entry', index: 6 });
  });

  it('a malformed format version record is corruption, not a version mismatch', async () => {
    await withRawLevel((db) => db.put(Uint8Array.of(0x00, 0x01), Uint8Array.of(1)));
    await openFails({ record: 'format-version' });
  });
});

describe('corruption is detected on read', () => {
  // The open store holds the directory's lock, so the read path is driven directly on a raw handle:
  // this is the function behind entries() and load().
  it('reading a range that holds a damaged entry fails with its index; ranges before it still read', async () => {
    await damage(
      entryKey(4),
      flipByte((value) => value.length - 2),
    );
    await withRawLevel(async (db) => {
      await expect(readEntries(db, directory, 2, 6)).rejects.toMatchObject({
        code: 'RAFT_STORAGE_CORRUPT',
        index: 4,
      });
      expect((await readEntries(db, directory, 1, 4)).map((read) => read.index)).toEqual([1, 2, 3]);
    });
  });

  it('a range with a hole fails at the missing index', async () => {
    await withRawLevel(async (db) => {
      await db.del(entryKey(5));
      await expect(readEntries(db, directory, 3, 7)).rejects.toMatchObject({
        code: 'RAFT_STORAGE_CORRUPT',
        index: 5,
      });
      await db.del(entryKey(6));
      await expect(readEntries(db, directory, 3, 7)).rejects.toMatchObject({ index: 5 });
    });
  });
});
