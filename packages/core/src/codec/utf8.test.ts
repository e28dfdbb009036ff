import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUtf8, utf8Size, writeUtf8 } from './utf8.js';

// Any UTF-16 code unit, lone surrogates included: what a JavaScript string may hold.
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const anyString = fc.oneof(fc.string({ unit: anyCodeUnit, maxLength: 80 }), fc.string({ unit: 'binary' }));

describe('utf8', () => {
  it('sizes every string exactly as TextEncoder encodes it (the encoder allocates by this size)', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(utf8Size(text)).toBe(new TextEncoder().encode(text).length);
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same bytes as TextEncoder on both the ASCII fast path and the general path', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.string({ maxLength: 200 })), (text) => {
        const size = utf8Size(text);
        const target = new Uint8Array(size + 2);
        expect(writeUtf8(target, 1, text, size)).toBe(1 + size);
        expect(target.subarray(1, 1 + size)).toEqual(new TextEncoder().encode(text));
      }),
      { numRuns: 500 },
    );
  });

  it('reads back every well-formed string, short or long', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ maxLength: 200 })), (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(readUtf8(bytes, 0, bytes.length)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
