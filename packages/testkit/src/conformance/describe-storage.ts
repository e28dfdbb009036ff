import type { Entry, HardState, PersistedState, Storage } from '@raft/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeSnapshotStorage } from './describe-snapshot-storage.js';
import { patternBytes, plainCopy, sameBytes, sampleEntries, sampleEntry } from './sample-entries.js';
import { applyToModel, batchFor, batchPlansArbitrary, emptyModel } from './storage-log-model.js';
import { type StorageFactory, withStorage } from './storage-session.js';

const MIB = 1024 * 1024;
const SLOW_TEST_MS = 60_000;

/**
 * Registers vitest tests that check `factory`'s stores against the {@link Storage} contract: load on
 * an empty store, what each kind of batch leaves behind, suffix overwrite (Raft §5.3), contiguity,
 * ranges, binary data, a property test against an array model, reopen (when the factory can), close,
 * and snapshots: chunked writes, save, install, compaction and a crash at each step of an install.
 * Errors are recognised by their `code` (`RAFT_STORAGE_RANGE`, `RAFT_STORAGE_GAP`, `RAFT_STORAGE_CLOSED`).
 *
 * The property test prints fast-check's seed and path when it fails; replay it by calling
 * `fc.configureGlobal({ seed, path })` from fast-check in your test file.
 *
 * @example
 * ```ts
 * import { describeStorage } from '@raft/testkit';
 * describeStorage('my storage', { setup: async () => myStorage(), teardown: (s) => s.close() });
 * ```
 */
export function describeStorage(name: string, factory: StorageFactory): void {
  const test = (title: string, body: (storage: Storage) => Promise<void>, timeout?: number) =>
    it(title, () => withStorage(factory, (session) => body(session.storage)), timeout);

  describe(`Storage conformance: ${name}`, () => {
    describe('load', () => {
      test('an empty store loads term 0, no vote, commit 0, no snapshot and no entries', async (storage) => {
        const state = await storage.load();
        expect(state.hardState).toEqual({ term: 0, vote: '', commit: 0 });
        expect(state.snapshot).toBeUndefined();
        expect(state.entries).toEqual([]);
        expect(await storage.firstIndex()).toBe(1);
        expect(await storage.lastIndex()).toBe(0);
      });

      test('a batch with neither hard state nor entries changes nothing', async (storage) => {
        await storage.persist({ entries: [] });
        expect(await loaded(storage)).toEqual(state({ term: 0, vote: '', commit: 0 }, []));
      });
    });

    describe('persist', () => {
      test('a hard state persisted alone is loaded back and leaves the log empty', async (storage) => {
        await storage.persist({ hardState: { term: 3, vote: 'b', commit: 0 }, entries: [] });
        expect(await loaded(storage)).toEqual(state({ term: 3, vote: 'b', commit: 0 }, []));
        expect(await storage.lastIndex()).toBe(0);
      });

      test('entries persisted alone are loaded back and leave the hard state as it was', async (storage) => {
        await storage.persist({ hardState: { term: 2, vote: 'a', commit: 1 }, entries: [] });
        await storage.persist({ entries: sampleEntries(1, 3, 2) });
        expect(await loaded(storage)).toEqual(
          state({ term: 2, vote: 'a', commit: 1 }, sampleEntries(1, 3, 2)),
        );
      });

      test('a later hard state replaces the earlier one and leaves the entries', async (storage) => {
        await storage.persist({
          hardState: { term: 1, vote: 'a', commit: 0 },
          entries: sampleEntries(1, 2, 1),
        });
        await storage.persist({ hardState: { term: 5, vote: '', commit: 2 }, entries: [] });
        expect(await loaded(storage)).toEqual(
          state({ term: 5, vote: '', commit: 2 }, sampleEntries(1, 2, 1)),
        );
      });

      test('hard state and entries in one batch are both kept', async (storage) => {
        await storage.persist({
          hardState: { term: 4, vote: 'c', commit: 2 },
          entries: sampleEntries(1, 4, 4),
        });
        expect(await loaded(storage)).toEqual(
          state({ term: 4, vote: 'c', commit: 2 }, sampleEntries(1, 4, 4)),
        );
        expect(await storage.lastIndex()).toBe(4);
      });

      test('a batch replaces every entry at and above its first index (Raft §5.3)', async (storage) => {
        await storage.persist({ entries: sampleEntries(1, 10, 1) });
        await storage.persist({ entries: sampleEntries(6, 7, 2) });
        const expected = [...sampleEntries(1, 5, 1), ...sampleEntries(6, 7, 2)];
        expect(plainCopy((await storage.load()).entries)).toEqual(expected);
        expect(await storage.lastIndex()).toBe(7);
        expect(await storage.term(6)).toBe(2);
        expect(await storage.term(8)).toBeUndefined();
        expect(plainCopy(await storage.entries(5, 8))).toEqual(expected.slice(4));
        await expect(storage.entries(8, 9)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      });

      test('a batch starting at index 1 replaces the whole log', async (storage) => {
        await storage.persist({ entries: sampleEntries(1, 5, 1) });
        await storage.persist({ entries: sampleEntries(1, 2, 3) });
        expect(plainCopy((await storage.load()).entries)).toEqual(sampleEntries(1, 2, 3));
        expect(await storage.lastIndex()).toBe(2);
      });

      test('a batch appended right after the last entry extends the log', async (storage) => {
        await storage.persist({ entries: sampleEntries(1, 3, 1) });
        await storage.persist({ entries: sampleEntries(4, 6, 2) });
        const expected = [...sampleEntries(1, 3, 1), ...sampleEntries(4, 6, 2)];
        expect(plainCopy((await storage.load()).entries)).toEqual(expected);
      });
    });

    describe('contiguity', () => {
      test('a batch starting past lastIndex + 1 is rejected with RAFT_STORAGE_GAP and changes nothing', async (storage) => {
        await storage.persist({
          hardState: { term: 1, vote: 'a', commit: 0 },
          entries: sampleEntries(1, 3, 1),
        });
        const before = await loaded(storage);
        const gap = storage.persist({
          hardState: { term: 9, vote: 'z', commit: 3 },
          entries: sampleEntries(5, 6, 9),
        });
        await expect(gap).rejects.toMatchObject({ code: 'RAFT_STORAGE_GAP' });
        expect(await loaded(storage)).toEqual(before);
        expect(await storage.lastIndex()).toBe(3);
      });

      test('a first batch that does not start at index 1 is rejected with RAFT_STORAGE_GAP', async (storage) => {
        await expect(storage.persist({ entries: sampleEntries(2, 3, 1) })).rejects.toMatchObject({
          code: 'RAFT_STORAGE_GAP',
        });
        expect(await storage.lastIndex()).toBe(0);
      });

      test('a batch with a hole inside is rejected with RAFT_STORAGE_GAP and changes nothing', async (storage) => {
        await storage.persist({ entries: sampleEntries(1, 3, 1) });
        const before = await loaded(storage);
        const holed = [sampleEntry(3, 2), sampleEntry(4, 2), sampleEntry(6, 2)];
        await expect(storage.persist({ entries: holed })).rejects.toMatchObject({ code: 'RAFT_STORAGE_GAP' });
        expect(await loaded(storage)).toEqual(before);
      });
    });

    describe('reads', () => {
      test('entries(from, to) returns [from, to) for every range inside [firstIndex, lastIndex + 1]', async (storage) => {
        const log = sampleEntries(1, 5, 1);
        await storage.persist({ entries: log });
        for (let from = 1; from <= 6; from++) {
          for (let to = from; to <= 6; to++) {
            expect(plainCopy(await storage.entries(from, to)), `[${from}, ${to})`).toEqual(
              log.slice(from - 1, to - 1),
            );
          }
        }
      });

      test('entries(from, to) outside [firstIndex, lastIndex + 1] rejects with RAFT_STORAGE_RANGE', async (storage) => {
        await storage.persist({ entries: sampleEntries(1, 5, 1) });
        for (const [from, to] of [
          [0, 2],
          [1, 7],
          [6, 7],
          [7, 9],
          [4, 3],
        ] as const) {
          await expect(storage.entries(from, to), `[${from}, ${to})`).rejects.toMatchObject({
            code: 'RAFT_STORAGE_RANGE',
          });
        }
      });

      test('on an empty log only the empty range at index 1 is inside', async (storage) => {
        expect(await storage.entries(1, 1)).toEqual([]);
        await expect(storage.entries(1, 2)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
      });

      test('term(i) is the term of entry i, and undefined past the last index', async (storage) => {
        await storage.persist({ entries: [...sampleEntries(1, 2, 1), ...sampleEntries(3, 4, 3)] });
        expect(await Promise.all([1, 2, 3, 4].map((index) => storage.term(index)))).toEqual([1, 1, 3, 3]);
        expect(await storage.term(5)).toBeUndefined();
        expect(await storage.term(1_000_000)).toBeUndefined();
      });

      test('term(i) of an empty log is undefined for every index from 1 on', async (storage) => {
        expect(await storage.term(1)).toBeUndefined();
        expect(await storage.term(2)).toBeUndefined();
      });
    });

    describe('binary data', () => {
      test(
        'entry data comes back byte for byte: empty, 0x00, 0xff, every byte value, 1 MiB; types kept',
        async (storage) => {
          const payloads = [
            new Uint8Array(0),
            Uint8Array.of(0x00),
            Uint8Array.of(0xff),
            Uint8Array.from({ length: 256 }, (_, byte) => byte),
            patternBytes(MIB, 1),
          ];
          const log = payloads.map((data, i) =>
            sampleEntry(i + 1, 1, data, i % 2 === 0 ? 'normal' : 'config'),
          );
          await storage.persist({ entries: log });
          for (const read of [(await storage.load()).entries, await storage.entries(1, log.length + 1)]) {
            expect(read.map(({ index, term, type }) => ({ index, term, type }))).toEqual(
              log.map(({ index, term, type }) => ({ index, term, type })),
            );
            read.forEach((entry, i) => {
              expect(entry.data).toBeInstanceOf(Uint8Array);
              expect(sameBytes(entry.data, payloads[i]!), `payload ${i}`).toBe(true);
            });
          }
        },
        SLOW_TEST_MS,
      );

      test('the store keeps its own copy: reusing the caller buffer after persist changes nothing', async (storage) => {
        const buffer = Uint8Array.of(1, 2, 3);
        await storage.persist({ entries: [sampleEntry(1, 1, buffer)] });
        buffer.fill(0);
        expect([...((await storage.entries(1, 2))[0]?.data ?? [])]).toEqual([1, 2, 3]);
      });
    });

    test(
      'after any sequence of small batches the store reads back exactly what an array model holds',
      async () => {
        await fc.assert(
          fc.asyncProperty(batchPlansArbitrary, (plans) =>
            withStorage(factory, async ({ storage }) => {
              const model = emptyModel();
              for (const plan of plans) {
                const batch = batchFor(plan, model.entries.length);
                await storage.persist(batch);
                applyToModel(model, batch);
              }
              expect(await loaded(storage)).toEqual(state(model.hardState, model.entries));
              expect(await storage.firstIndex()).toBe(1);
              expect(await storage.lastIndex()).toBe(model.entries.length);
              expect(plainCopy(await storage.entries(1, model.entries.length + 1))).toEqual(model.entries);
              const terms = await Promise.all(model.entries.map((entry) => storage.term(entry.index)));
              expect(terms).toEqual(model.entries.map((entry) => entry.term));
            }),
          ),
          { numRuns: 100 },
        );
      },
      SLOW_TEST_MS,
    );

    if (factory.snapshots !== false) describeSnapshotStorage(factory);

    describe('reopen', () => {
      const reopenTest = (
        title: string,
        body: (reopen: () => Promise<Storage>, storage: Storage) => Promise<void>,
      ) =>
        it.skipIf(factory.reopen === undefined)(
          title,
          () => withStorage(factory, (session) => body(() => session.reopen(), session.storage)),
          SLOW_TEST_MS,
        );

      reopenTest(
        'a reopened store loads exactly what was persisted, binary data included',
        async (reopen, storage) => {
          const log = [
            sampleEntry(1, 1, new Uint8Array(0)),
            sampleEntry(2, 1, patternBytes(MIB, 2), 'config'),
          ];
          await storage.persist({ hardState: { term: 1, vote: 'a', commit: 1 }, entries: log });
          await storage.persist({
            hardState: { term: 2, vote: 'b', commit: 1 },
            entries: sampleEntries(3, 4, 2),
          });
          const before = await loaded(storage);
          const reopened = await reopen();
          const after = await loaded(reopened);
          expect(after.hardState).toEqual(before.hardState);
          expect(after.snapshot).toEqual(before.snapshot);
          expect(after.entries.length).toBe(4);
          after.entries.forEach((entry, i) => {
            const { data, ...rest } = entry;
            const { data: expectedData, ...expectedRest } = before.entries[i]!;
            expect(rest).toEqual(expectedRest);
            expect(sameBytes(data, expectedData), `entry ${i + 1}`).toBe(true);
          });
          expect(await reopened.firstIndex()).toBe(1);
          expect(await reopened.lastIndex()).toBe(4);
          expect(await reopened.term(3)).toBe(2);
        },
      );

      reopenTest('an overwritten suffix stays gone after reopen', async (reopen, storage) => {
        await storage.persist({ entries: sampleEntries(1, 10, 1) });
        await storage.persist({ entries: sampleEntries(6, 7, 2) });
        const reopened = await reopen();
        expect(plainCopy((await reopened.load()).entries)).toEqual([
          ...sampleEntries(1, 5, 1),
          ...sampleEntries(6, 7, 2),
        ]);
        expect(await reopened.lastIndex()).toBe(7);
        expect(await reopened.term(8)).toBeUndefined();
      });

      reopenTest('a rejected batch leaves no trace after reopen', async (reopen, storage) => {
        await storage.persist({
          hardState: { term: 1, vote: 'a', commit: 0 },
          entries: sampleEntries(1, 2, 1),
        });
        await storage
          .persist({ hardState: { term: 7, vote: 'x', commit: 2 }, entries: sampleEntries(4, 5, 7) })
          .catch(() => {});
        const reopened = await reopen();
        expect(await loaded(reopened)).toEqual(
          state({ term: 1, vote: 'a', commit: 0 }, sampleEntries(1, 2, 1)),
        );
      });
    });

    it('every call after close rejects with RAFT_STORAGE_CLOSED', () =>
      withStorage(factory, async (session) => {
        await session.storage.persist({ entries: sampleEntries(1, 2, 1) });
        await session.close();
        const { storage } = session;
        const calls: Record<string, () => Promise<unknown>> = {
          load: () => storage.load(),
          persist: () => storage.persist({ entries: sampleEntries(3, 3, 1) }),
          entries: () => storage.entries(1, 2),
          term: () => storage.term(1),
          firstIndex: () => storage.firstIndex(),
          lastIndex: () => storage.lastIndex(),
        };
        for (const [method, call] of Object.entries(calls)) {
          await expect(call(), method).rejects.toMatchObject({ code: 'RAFT_STORAGE_CLOSED' });
        }
      }));
  });
}

/** What `load()` returned, with byte arrays made comparable by `toEqual`. */
async function loaded(storage: Storage): Promise<PersistedState> {
  return plainCopy(await storage.load());
}

function state(hardState: HardState, entries: readonly Entry[]): PersistedState {
  return { hardState, snapshot: undefined, entries: plainCopy(entries) };
}
