import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../engine/types.js';
import { entryArb } from './codec-arbitraries.test-support.js';
import { decodeEntry, encodedEntrySize, encodeEntry, encodeEntryInto } from './entry-codec.js';

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

  it('encodes into a larger buffer exactly the bytes encodeEntry returns, touching nothing around them', () => {
    fc.assert(
      fc.property(entryArb, fc.nat(16), (entry, offset) => {
        const size = encodedEntrySize(entry);
        const target = new Uint8Array(offset + size + 3).fill(0xee);
        const frame = encodeEntryInto(entry, target, offset);
        expect(frame.buffer).toBe(target.buffer);
        expect(frame.byteOffset).toBe(offset);
        expect(frame).toStrictEqual(new Uint8Array(encodeEntry(entry)));
        expect([...target.subarray(0, offset), ...target.subarray(offset + size)]).toEqual(
          new Array(offset + 3).fill(0xee),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to encode into a buffer without room for the frame, and writes nothing', () => {
    const entry: Entry = { index: 7, term: 3, type: 'normal', data: new Uint8Array([1, 2, 3]) };
    const target = new Uint8Array(encodedEntrySize(entry) + 1);
    expect(() => encodeEntryInto(entry, target, 2)).toThrow(RangeError);
    expect(() => encodeEntryInto(entry, target, -1)).toThrow(RangeError);
    expect(target.every((byte) => byte === 0)).toBe(true);
    expect(encodeEntryInto(entry, target, 1)).toStrictEqual(new Uint8Array(encodeEntry(entry)));
  });

  it('refuses to encode an unknown entry type', () => {
    const entry = { index: 1, term: 1, type: 'weird', data: new Uint8Array() } as unknown as Entry;
    expect(() => encodeEntry(entry)).toThrow(RangeError);
  });
});
