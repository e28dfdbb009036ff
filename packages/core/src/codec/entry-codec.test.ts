import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../engine/types.js';
import { entryArb } from './codec-arbitraries.test-support.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';

describe('entry codec', () => {
  it('round-trips every entry to a deeply equal entry', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        expect(decodeEntry(encodeEntry(entry))).toStrictEqual(entry);
      }),
      { numRuns: 300 },
    );
  });

  it('returns data as a view into the frame, so storage reads do not copy payloads', () => {
    const frame = encodeEntry({ index: 5, term: 2, type: 'normal', data: new Uint8Array([9, 9]) });
    expect(decodeEntry(frame).data.buffer).toBe(frame.buffer);
  });

  it('refuses to encode an unknown entry type', () => {
    const entry = { index: 1, term: 1, type: 'weird', data: new Uint8Array() } as unknown as Entry;
    expect(() => encodeEntry(entry)).toThrow(RangeError);
  });
});
