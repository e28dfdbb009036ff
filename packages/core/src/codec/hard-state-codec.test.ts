import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hardStateArb } from './codec-arbitraries.test-support.js';
import { decodeHardState, encodeHardState } from './hard-state-codec.js';

describe('hard state codec', () => {
  it('round-trips every hard state (term, vote, commit) to a deeply equal one', () => {
    fc.assert(
      fc.property(hardStateArb, (hardState) => {
        expect(decodeHardState(encodeHardState(hardState))).toStrictEqual(hardState);
      }),
      { numRuns: 300 },
    );
  });
});
