import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermRuns } from './term-runs.js';

describe('TermRuns', () => {
  it('keeps one run per term change, not one per entry', () => {
    const runs = new TermRuns();
    for (let index = 1; index <= 1000; index++) runs.append(index, index <= 500 ? 1 : 2);
    expect(runs.runCount).toBe(2);
    expect([runs.termAt(1), runs.termAt(500), runs.termAt(501), runs.termAt(1000)]).toEqual([1, 1, 2, 2]);
  });

  it('answers like a plain array of terms after any appends and suffix truncations', () => {
    // Each step truncates at a position inside the log (or at its end) and appends a few entries,
    // as a persist that replaces a suffix (Raft §5.3) does.
    const step = fc.record({
      keep: fc.nat(),
      terms: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const runs = new TermRuns();
        const naive: number[] = [];
        for (const { keep, terms } of steps) {
          const from = (keep % (naive.length + 1)) + 1;
          runs.truncateFrom(from);
          naive.length = from - 1;
          for (const term of terms) {
            naive.push(term);
            runs.append(naive.length, term);
          }
        }
        naive.forEach((term, position) => {
          expect(runs.termAt(position + 1)).toBe(term);
        });
      }),
      { numRuns: 300 },
    );
  });
});
