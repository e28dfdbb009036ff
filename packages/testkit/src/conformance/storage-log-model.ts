import type { Entry, HardState, PersistBatch } from '@raft/core';
import fc from 'fast-check';

/**
 * The simplest correct storage: a hard state and an array of entries where `entries[i]` has index
 * `i + 1`. The property test checks a real store against it.
 */
export interface StorageModel {
  hardState: HardState;
  entries: Entry[];
}

/**
 * A batch described relative to the log it will be written to, so every generated batch is valid:
 * its entries start `rewind` entries before the end (overwriting them) or right after it.
 */
export interface BatchPlan {
  readonly hardState: HardState | undefined;
  readonly rewind: number;
  readonly term: number;
  readonly payloads: readonly { readonly data: Uint8Array; readonly config: boolean }[];
}

export function emptyModel(): StorageModel {
  return { hardState: { term: 0, vote: '', commit: 0 }, entries: [] };
}

/** Turns `plan` into a concrete batch for a log whose last index is `lastIndex`. */
export function batchFor(plan: BatchPlan, lastIndex: number): PersistBatch {
  const start = Math.max(1, lastIndex + 1 - plan.rewind);
  const entries = plan.payloads.map(
    (payload, offset): Entry => ({
      index: start + offset,
      term: plan.term,
      type: payload.config ? 'config' : 'normal',
      data: payload.data,
    }),
  );
  return { hardState: plan.hardState, entries };
}

/** What the Storage contract says `persist(batch)` does, on the model. */
export function applyToModel(model: StorageModel, batch: PersistBatch): void {
  const first = batch.entries[0];
  if (first !== undefined) {
    model.entries.length = first.index - 1;
    model.entries.push(...batch.entries);
  }
  if (batch.hardState !== undefined) model.hardState = batch.hardState;
}

const hardStateArbitrary: fc.Arbitrary<HardState> = fc.record({
  term: fc.nat({ max: 1_000 }),
  vote: fc.constantFrom('', 'a', 'b', 'node-3', 'ü'),
  commit: fc.nat({ max: 1_000 }),
});

/** Sequences of small batches: hard states alone, appends, suffix overwrites and empty batches. */
export const batchPlansArbitrary: fc.Arbitrary<BatchPlan[]> = fc.array(
  fc.record({
    hardState: fc.option(hardStateArbitrary, { nil: undefined }),
    rewind: fc.nat({ max: 4 }),
    term: fc.integer({ min: 1, max: 9 }),
    payloads: fc.array(fc.record({ data: fc.uint8Array({ maxLength: 16 }), config: fc.boolean() }), {
      maxLength: 5,
    }),
  }),
  { minLength: 1, maxLength: 25 },
);
