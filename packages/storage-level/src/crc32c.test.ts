import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

const ascii = (text: string) => new TextEncoder().encode(text);
const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

/** Bit by bit, straight from the definition: the reference the table-driven version must match. */
function crc32cBitwise(bytes: Uint8Array): number {
  let register = 0xffffffff;
  for (const byte of bytes) {
    register ^= byte;
    for (let bit = 0; bit < 8; bit++)
      register = register & 1 ? (register >>> 1) ^ 0x82f63b78 : register >>> 1;
  }
  return (register ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the catalogued check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for no bytes (initial value and final XOR cancel)', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  // RFC 3720 Appendix B.4 lists the CRC bytes in transmission order (least significant first):
  // "aa 36 91 8a" is 0x8A9136AA.
  it.each([
    ['32 bytes of zeroes', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xFF', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes 0x00..0x1F', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['32 decrementing bytes 0x1F..0x00', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    [
      'an iSCSI read (10) command PDU',
      hex(
        '01c00000000000000000000000000000140000000000040000000014000000182800000000000000' +
          '0200000000000000',
      ),
      0xd9963a56,
    ],
  ])('matches RFC 3720 B.4 test vector: %s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('continues over pieces: crc32c(b, crc32c(a)) is the checksum of a then b', () => {
    const whole = ascii('the quick brown fox jumps over the lazy dog');
    for (let cut = 0; cut <= whole.length; cut += 7) {
      expect(crc32c(whole.subarray(cut), crc32c(whole.subarray(0, cut)))).toBe(crc32c(whole));
    }
  });

  it('matches the bit-by-bit definition on every single byte and on varied lengths', () => {
    for (let byte = 0; byte < 256; byte++) {
      const one = Uint8Array.of(byte);
      expect(crc32c(one)).toBe(crc32cBitwise(one));
    }
    for (let length = 0; length < 300; length += 13) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(crc32c(bytes)).toBe(crc32cBitwise(bytes));
    }
  });

  it('detects every single-bit flip in a 256-byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff);
    const original = crc32c(bytes);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc32c(bytes)).not.toBe(original);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
    }
  });
});
