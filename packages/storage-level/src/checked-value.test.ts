import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_BYTES, DamagedValueError, openValue, sealInPlace, sealValue } from './checked-value.js';

describe('sealed values', () => {
  it('sealing a frame in place gives the bytes sealValue gives, and opens to the frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (frame, offset) => {
        const target = new Uint8Array(offset + CHECKSUM_BYTES + frame.length + 2);
        target.set(frame, offset + CHECKSUM_BYTES);
        const value = sealInPlace(target, offset, frame.length);
        expect(value.buffer).toBe(target.buffer);
        expect(new Uint8Array(value)).toStrictEqual(sealValue(frame));
        expect(new Uint8Array(openValue(value))).toStrictEqual(frame);
      }),
      { numRuns: 200 },
    );
  });

  it('a value whose frame changed after sealing does not open', () => {
    const value = sealValue(Uint8Array.of(1, 2, 3));
    value.set([0x03], CHECKSUM_BYTES + 1);
    expect(() => openValue(value)).toThrow(DamagedValueError);
  });
});
