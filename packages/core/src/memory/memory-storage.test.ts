import { describe, expect, it } from 'vitest';
import type { Entry, SnapshotMeta } from '../engine/types.js';
import type { PersistedState } from '../interfaces/storage.js';
import { memoryStorage } from './memory-storage.js';

function entry(index: number, term: number, bytes: readonly number[] = [index % 256]): Entry {
  return { index, term, type: 'normal', data: Uint8Array.from(bytes) };
}

function run(from: number, to: number, term: number): Entry[] {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(entry(index, term));
  return entries;
}

const snapshot: SnapshotMeta = {
  index: 10,
  term: 3,
  config: { voters: ['a', 'b', 'c'], outgoingVoters: [], learners: ['d'] },
};

describe('memoryStorage', () => {
  it('starts from the initial state it was given', async () => {
    const initial: PersistedState = {
      hardState: { term: 4, vote: 'b', commit: 12 },
      snapshot,
      entries: run(11, 13, 4),
    };
    const storage = memoryStorage({ initial });
    expect(await storage.load()).toEqual(initial);
    expect(await storage.firstIndex()).toBe(11);
    expect(await storage.lastIndex()).toBe(13);
  });

  it('refuses initial entries that do not follow the snapshot without a gap', () => {
    const initial: PersistedState = {
      hardState: { term: 4, vote: '', commit: 0 },
      snapshot,
      entries: run(12, 13, 4),
    };
    expect(() => memoryStorage({ initial })).toThrow(expect.objectContaining({ code: 'RAFT_STORAGE_GAP' }));
  });

  it('the term of the snapshot index is the snapshot term; compacted indices have none', async () => {
    const storage = memoryStorage({
      initial: { hardState: { term: 3, vote: '', commit: 10 }, snapshot, entries: [] },
    });
    expect(await storage.term(10)).toBe(3);
    expect(await storage.term(9)).toBeUndefined();
    expect(await storage.term(0)).toBeUndefined();
    expect(await storage.firstIndex()).toBe(11);
    expect(await storage.lastIndex()).toBe(10);
    expect(await storage.entries(11, 11)).toEqual([]);
  });

  it('index 0 has term 0 on a log without a snapshot (the empty prefix)', async () => {
    expect(await memoryStorage().term(0)).toBe(0);
  });

  it('refuses a batch that starts inside the snapshot with RAFT_STORAGE_RANGE and changes nothing', async () => {
    const storage = memoryStorage({
      initial: { hardState: { term: 3, vote: '', commit: 10 }, snapshot, entries: run(11, 12, 3) },
    });
    const before = storage.contents();
    await expect(
      storage.persist({ hardState: { term: 9, vote: 'x', commit: 0 }, entries: run(10, 13, 4) }),
    ).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
    expect(storage.contents()).toEqual(before);
  });

  it('a gap inside a batch is refused before anything is written, hard state included', async () => {
    const storage = memoryStorage();
    await storage.persist({ entries: run(1, 3, 1) });
    await expect(
      storage.persist({ hardState: { term: 2, vote: 'a', commit: 1 }, entries: [entry(2, 2), entry(4, 2)] }),
    ).rejects.toMatchObject({ code: 'RAFT_STORAGE_GAP', expectedIndex: 3, actualIndex: 4 });
    expect(storage.contents()).toEqual({
      hardState: { term: 0, vote: '', commit: 0 },
      snapshot: undefined,
      entries: run(1, 3, 1),
    });
  });

  it('keeps its own copy of entry bytes: the caller may reuse its buffer after persist', async () => {
    const storage = memoryStorage();
    const buffer = Uint8Array.from([1, 2, 3]);
    await storage.persist({ entries: [{ index: 1, term: 1, type: 'normal', data: buffer }] });
    buffer.fill(0);
    expect([...((await storage.entries(1, 2))[0]?.data ?? [])]).toEqual([1, 2, 3]);
  });

  it('contents() is a deep copy: changing it does not change the store', async () => {
    const storage = memoryStorage();
    await storage.persist({ entries: run(1, 2, 1) });
    const copy = storage.contents();
    copy.entries[0]?.data.fill(99);
    (copy.entries as Entry[]).pop();
    expect(storage.contents().entries).toEqual(run(1, 2, 1));
  });

  it('contents() still works after close, so the same data can be reopened', async () => {
    const storage = memoryStorage();
    await storage.persist({ hardState: { term: 2, vote: 'c', commit: 1 }, entries: run(1, 3, 2) });
    await storage.close();
    const reopened = memoryStorage({ initial: storage.contents() });
    expect(await reopened.load()).toEqual(storage.contents());
  });

  it('close() may be called twice; other calls after close reject with RAFT_STORAGE_CLOSED', async () => {
    const storage = memoryStorage();
    await storage.close();
    await expect(storage.close()).resolves.toBeUndefined();
    await expect(storage.term(0)).rejects.toMatchObject({ code: 'RAFT_STORAGE_CLOSED' });
  });

  it('a non-integer range or index is outside the log', async () => {
    const storage = memoryStorage();
    await storage.persist({ entries: run(1, 3, 1) });
    await expect(storage.entries(1.5, 2)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
    await expect(storage.entries(1, Number.NaN)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
    expect(await storage.term(1.5)).toBeUndefined();
    expect(await storage.term(-1)).toBeUndefined();
  });
});
