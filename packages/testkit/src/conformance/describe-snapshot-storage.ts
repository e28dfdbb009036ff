import type { SnapshotMeta, SnapshotReader, SnapshotWriter, Storage } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { patternBytes, plainCopy, sameBytes, sampleEntries } from './sample-entries.js';
import { type StorageFactory, type StorageSession, withStorage } from './storage-session.js';

const CONFIG = { voters: ['a', 'b', 'c'], outgoingVoters: [], learners: ['d'] };

/** Snapshot metadata at `index` of `term` with a fixed configuration. */
function meta(index: number, term: number): SnapshotMeta {
  return { index, term, config: CONFIG };
}

/** The snapshot methods of a store, asserted present (the suite only runs when they are). */
type SnapshotStorage = Storage & Required<Pick<Storage, 'beginSnapshot' | 'readSnapshot' | 'compact'>>;

function snapshots(storage: Storage): SnapshotStorage {
  if (storage.beginSnapshot === undefined || storage.readSnapshot === undefined || !storage.compact) {
    throw new Error('this store has no snapshot support');
  }
  return storage as SnapshotStorage;
}

/** Write `chunks` through a new writer and leave it open. */
async function written(storage: SnapshotStorage, at: SnapshotMeta, chunks: readonly Uint8Array[]) {
  const writer: SnapshotWriter = await storage.beginSnapshot(at);
  for (const chunk of chunks) await writer.write(chunk);
  return writer;
}

async function readAll(reader: SnapshotReader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of reader.chunks()) parts.push(Uint8Array.from(chunk));
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const DATA = [patternBytes(1000, 1), patternBytes(1, 2), patternBytes(4096, 3)];

/**
 * The snapshot part of the Storage contract (Raft §7): chunked writes invisible until saved or
 * installed, atomic save and install, the install rule for entries after the snapshot, compaction,
 * readers that outlive a newer snapshot, and, when the factory can reopen, that a crash at any point
 * of an install leaves the old state or the new one.
 */
export function describeSnapshotStorage(factory: StorageFactory): void {
  const test = (title: string, body: (storage: SnapshotStorage) => Promise<void>, timeout?: number) =>
    it(title, () => withStorage(factory, (session) => body(snapshots(session.storage))), timeout);
  const reopenTest = (title: string, body: (session: StorageSession) => Promise<void>) =>
    it.skipIf(factory.reopen === undefined)(title, () => withStorage(factory, body));

  describe('snapshots', () => {
    test('a fresh store has no snapshot', async (storage) => {
      expect(await storage.readSnapshot()).toBeUndefined();
    });

    test('a saved snapshot reads back byte for byte with its metadata; the log is untouched', async (storage) => {
      await storage.persist({
        hardState: { term: 2, vote: 'a', commit: 8 },
        entries: sampleEntries(1, 10, 2),
      });
      const writer = await written(storage, meta(8, 2), DATA);
      await writer.save();
      const reader = await storage.readSnapshot();
      expect(reader?.meta).toEqual(meta(8, 2));
      expect(reader?.bytes).toBe(5097);
      expect(sameBytes(await readAll(reader!), concat(DATA))).toBe(true);
      const state = await storage.load();
      expect(state.snapshot).toEqual(meta(8, 2));
      expect(plainCopy(state.entries)).toEqual(sampleEntries(1, 10, 2));
      expect(await storage.firstIndex()).toBe(1);
    });

    test('nothing of a snapshot is visible before save, and an aborted one never is', async (storage) => {
      await storage.persist({ entries: sampleEntries(1, 5, 1) });
      const writer = await written(storage, meta(5, 1), DATA);
      expect(await storage.readSnapshot()).toBeUndefined();
      expect((await storage.load()).snapshot).toBeUndefined();
      await writer.abort();
      await writer.abort();
      expect(await storage.readSnapshot()).toBeUndefined();
    });

    test('save refuses a snapshot beyond the log or older than the one held (RAFT_STORAGE_RANGE)', async (storage) => {
      await storage.persist({ entries: sampleEntries(1, 5, 1) });
      const beyond = await written(storage, meta(6, 1), DATA);
      await expect(beyond.save()).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      const wrongTerm = await written(storage, meta(5, 2), DATA);
      await expect(wrongTerm.save()).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      await (await written(storage, meta(4, 1), DATA)).save();
      const older = await written(storage, meta(3, 1), []);
      await expect(older.save()).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      expect((await storage.readSnapshot())?.meta).toEqual(meta(4, 1));
    });

    test('a reader keeps reading its snapshot after a newer one is saved', async (storage) => {
      await storage.persist({ entries: sampleEntries(1, 9, 1) });
      await (await written(storage, meta(3, 1), [patternBytes(64, 7)])).save();
      const old = await storage.readSnapshot();
      await (await written(storage, meta(9, 1), [patternBytes(32, 8)])).save();
      expect(sameBytes(await readAll(old!), patternBytes(64, 7))).toBe(true);
      expect((await storage.readSnapshot())?.meta.index).toBe(9);
    });

    test('compaction discards entries through the index and keeps its term; the snapshot bounds it', async (storage) => {
      await storage.persist({ entries: [...sampleEntries(1, 4, 1), ...sampleEntries(5, 10, 2)] });
      await (await written(storage, meta(6, 2), DATA)).save();
      await storage.compact(4);
      expect(await storage.firstIndex()).toBe(5);
      expect(await storage.lastIndex()).toBe(10);
      expect(await storage.term(4)).toBe(1);
      expect(await storage.term(3)).toBeUndefined();
      expect(plainCopy(await storage.entries(5, 11))).toEqual(sampleEntries(5, 10, 2));
      await expect(storage.entries(4, 6)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      const state = await storage.load();
      expect(state.compacted).toEqual({ index: 4, term: 1 });
      expect(plainCopy(state.entries)).toEqual(sampleEntries(5, 10, 2));
      await storage.compact(2);
      expect(await storage.firstIndex()).toBe(5);
      await expect(storage.compact(7)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      expect(await storage.firstIndex()).toBe(5);
    });

    test('entries at or below the snapshot are never rewritten (RAFT_STORAGE_RANGE)', async (storage) => {
      await storage.persist({ entries: sampleEntries(1, 6, 1) });
      await (await written(storage, meta(4, 1), DATA)).save();
      await expect(storage.persist({ entries: sampleEntries(4, 5, 2) })).rejects.toMatchObject({
        code: 'RAFT_STORAGE_RANGE',
      });
      await storage.persist({ entries: sampleEntries(5, 5, 3) });
      expect(await storage.lastIndex()).toBe(5);
      expect(await storage.term(5)).toBe(3);
    });

    test('installing keeps the entries after a snapshot whose last entry the log agrees with (§7)', async (storage) => {
      await storage.persist({
        hardState: { term: 2, vote: 'b', commit: 3 },
        entries: sampleEntries(1, 10, 2),
      });
      await (await written(storage, meta(6, 2), DATA)).install();
      expect(await storage.firstIndex()).toBe(7);
      expect(await storage.lastIndex()).toBe(10);
      expect(await storage.term(6)).toBe(2);
      const state = await storage.load();
      expect(state.hardState).toEqual({ term: 2, vote: 'b', commit: 6 });
      expect(state.snapshot).toEqual(meta(6, 2));
      expect(plainCopy(state.entries)).toEqual(sampleEntries(7, 10, 2));
    });

    test('installing discards the whole log when it disagrees with the snapshot or ends before it', async (storage) => {
      await storage.persist({
        hardState: { term: 3, vote: '', commit: 9 },
        entries: sampleEntries(1, 10, 1),
      });
      await (await written(storage, meta(6, 3), DATA)).install();
      expect(await storage.firstIndex()).toBe(7);
      expect(await storage.lastIndex()).toBe(6);
      expect((await storage.load()).hardState.commit).toBe(9);
      await (await written(storage, meta(50, 4), DATA)).install();
      expect(await storage.lastIndex()).toBe(50);
      expect(await storage.term(50)).toBe(4);
      expect((await storage.load()).entries).toEqual([]);
      await storage.persist({ entries: sampleEntries(51, 52, 4) });
      expect(plainCopy(await storage.entries(51, 53))).toEqual(sampleEntries(51, 52, 4));
    });

    test('installing refuses a snapshot not newer than the one held, changing nothing', async (storage) => {
      await storage.persist({ entries: sampleEntries(1, 5, 1) });
      await (await written(storage, meta(5, 1), DATA)).save();
      const stale = await written(storage, meta(5, 1), []);
      await expect(stale.install()).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      expect(plainCopy((await storage.load()).entries)).toEqual(sampleEntries(1, 5, 1));
    });

    test('a multi-megabyte snapshot in many chunks round-trips', async (storage) => {
      const chunks = Array.from({ length: 48 }, (_, i) => patternBytes(64 * 1024 + i, i));
      await (await written(storage, meta(100, 7), chunks)).install();
      const reader = await storage.readSnapshot();
      expect(reader?.bytes).toBe(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      expect(sameBytes(await readAll(reader!), concat(chunks))).toBe(true);
    }, 30_000);

    test('a closed store refuses snapshot calls with RAFT_STORAGE_CLOSED', async (storage) => {
      await storage.close();
      await expect(storage.readSnapshot()).rejects.toMatchObject({ code: 'RAFT_STORAGE_CLOSED' });
      await expect(storage.beginSnapshot(meta(1, 1))).rejects.toMatchObject({ code: 'RAFT_STORAGE_CLOSED' });
      await expect(storage.compact(1)).rejects.toMatchObject({ code: 'RAFT_STORAGE_CLOSED' });
    });

    reopenTest('a saved snapshot and a compaction survive a reopen', async (session) => {
      const storage = snapshots(session.storage);
      await storage.persist({
        hardState: { term: 2, vote: 'a', commit: 8 },
        entries: sampleEntries(1, 10, 2),
      });
      await (await written(storage, meta(8, 2), DATA)).save();
      await storage.compact(5);
      const reopened = snapshots(await session.reopen());
      const state = await reopened.load();
      expect(state.snapshot).toEqual(meta(8, 2));
      expect(state.compacted).toEqual({ index: 5, term: 2 });
      expect(plainCopy(state.entries)).toEqual(sampleEntries(6, 10, 2));
      expect(await reopened.firstIndex()).toBe(6);
      expect(sameBytes(await readAll((await reopened.readSnapshot())!), concat(DATA))).toBe(true);
    });

    // A crash at each step of an install: before any chunk, midway, with every chunk written but not
    // installed, and after install resolved. Each must reopen to the old state or the new one, whole.
    for (const step of ['begun', 'half-written', 'fully-written', 'installed'] as const) {
      reopenTest(
        `a crash after the install step "${step}" leaves the old state or the new one, never a mix`,
        async (session) => {
          const storage = snapshots(session.storage);
          await storage.persist({
            hardState: { term: 1, vote: 'a', commit: 4 },
            entries: sampleEntries(1, 6, 1),
          });
          await (await written(storage, meta(4, 1), [patternBytes(10, 1)])).save();
          const writer = await storage.beginSnapshot(meta(20, 3));
          if (step !== 'begun') await writer.write(DATA[0]!);
          if (step === 'fully-written' || step === 'installed')
            for (const chunk of DATA.slice(1)) await writer.write(chunk);
          if (step === 'installed') await writer.install();
          // The process dies here: the store is reopened without the writer finishing or aborting.
          const reopened = snapshots(await session.reopen());
          const state = await reopened.load();
          const reader = await reopened.readSnapshot();
          if (step === 'installed') {
            expect(state.snapshot).toEqual(meta(20, 3));
            expect(state.entries).toEqual([]);
            expect(state.hardState.commit).toBe(20);
            expect(sameBytes(await readAll(reader!), concat(DATA))).toBe(true);
          } else {
            expect(state.snapshot).toEqual(meta(4, 1));
            expect(plainCopy(state.entries)).toEqual(sampleEntries(1, 6, 1));
            expect(state.hardState.commit).toBe(4);
            expect(sameBytes(await readAll(reader!), patternBytes(10, 1))).toBe(true);
          }
          // The reopened store accepts a new install of the same snapshot.
          await (await written(reopened, meta(21, 3), DATA)).install();
          expect((await reopened.load()).snapshot).toEqual(meta(21, 3));
        },
      );
    }
  });
}
