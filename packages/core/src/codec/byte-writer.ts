import { utf8Size, writeUtf8 } from './utf8.js';
import { BASE_CODEC_VERSION, FRAME_HEADER_BYTES, type FrameKind } from './wire-format.js';

/**
 * Bytes of `value` as a varint. Also the encoder's one validation point for numbers: every number goes
 * through here while the frame is sized, before anything is written.
 *
 * @throws RangeError if `value` is not an integer in [0, 2^53 - 1] (a bug in the caller).
 */
export function varintSize(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`cannot encode ${String(value)}: not an integer in [0, 2^53 - 1]`);
  }
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  if (value < 2 ** 35) return 5;
  if (value < 2 ** 42) return 6;
  if (value < 2 ** 49) return 7;
  return 8;
}

/** Bytes of a length-prefixed UTF-8 string. */
export function stringSize(value: string): number {
  const byteLength = utf8Size(value);
  return varintSize(byteLength) + byteLength;
}

/** Bytes of a length-prefixed byte string. */
export function bytesSize(value: Uint8Array): number {
  return varintSize(value.length) + value.length;
}

/**
 * Writes one frame into a buffer allocated once at its exact size (computed beforehand by the *Size
 * functions), so encoding never grows or copies a buffer.
 */
export class ByteWriter {
  readonly buffer: Uint8Array;
  private offset = 0;

  /**
   * Allocates `bodySize` plus the frame header and writes the header; with `frame` (exactly that many
   * bytes, typically a view into a larger buffer) it writes there instead of allocating.
   */
  constructor(kind: FrameKind, bodySize: number, version: number = BASE_CODEC_VERSION, frame?: Uint8Array) {
    if (frame !== undefined && frame.length !== FRAME_HEADER_BYTES + bodySize) {
      throw new RangeError(
        `a frame of ${bodySize} body bytes needs ${FRAME_HEADER_BYTES + bodySize} bytes, not ${frame.length}`,
      );
    }
    this.buffer = frame ?? new Uint8Array(FRAME_HEADER_BYTES + bodySize);
    this.buffer[0] = version;
    this.buffer[1] = kind;
    this.offset = FRAME_HEADER_BYTES;
  }

  varint(value: number): void {
    const buffer = this.buffer;
    let offset = this.offset;
    // Bit operators are 32-bit; above 2^31 step down with arithmetic until they are safe.
    while (value >= 0x8000_0000) {
      buffer[offset++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    while (value >= 0x80) {
      buffer[offset++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[offset++] = value;
    this.offset = offset;
  }

  bool(value: boolean): void {
    this.buffer[this.offset++] = value ? 1 : 0;
  }

  string(value: string): void {
    const byteLength = utf8Size(value);
    this.varint(byteLength);
    this.offset = writeUtf8(this.buffer, this.offset, value, byteLength);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  /** Raw bytes of a known, fixed length (no length prefix). */
  fixed(value: Uint8Array): void {
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  /** Returns the frame; checks that the sizing pass and the writing pass agreed. */
  finish(): Uint8Array {
    if (this.offset !== this.buffer.length) {
      throw new Error(`codec bug: sized ${this.buffer.length} bytes but wrote ${this.offset}`);
    }
    return this.buffer;
  }
}
