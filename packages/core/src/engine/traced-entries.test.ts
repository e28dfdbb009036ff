import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TracedEntries } from './traced-entries.js';

// Rule: `within` answers exactly the held traces in a range (checked against a filter over a naive
// list), the bound keeps the newest `capacity`, and pruning forgets everything at or below an index.
const context = new Uint8Array(26);

describe('TracedEntries', () => {
  it('within, add over capacity and pruneThrough agree with a naive list', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(200), { maxLength: 40 }).map((indices) => indices.sort((x, y) => x - y)),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(200),
        fc.nat(200),
        fc.nat(200),
        (indices, capacity, first, span, prune) => {
          const traces = new TracedEntries(capacity);
          for (const index of indices) traces.add(index, context);
          let naive = indices.slice(-capacity);
          const last = first + span;
          const expected = naive.filter((index) => index >= first && index <= last);
          const found = traces.within(first, last)?.map((trace) => trace.index);
          expect(found).toEqual(expected.length === 0 ? undefined : expected);
          traces.pruneThrough(prune);
          naive = naive.filter((index) => index > prune);
          expect(traces.size).toBe(naive.length);
          expect(traces.within(0, 1_000)?.map((trace) => trace.index)).toEqual(
            naive.length === 0 ? undefined : naive,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores a context that is not 26 bytes and an index not above the last one held', () => {
    const traces = new TracedEntries();
    traces.add(5, new Uint8Array(25));
    traces.add(6, context);
    traces.add(6, context);
    traces.add(4, context);
    expect(traces.within(0, 10)?.map((trace) => trace.index)).toEqual([6]);
  });
});
