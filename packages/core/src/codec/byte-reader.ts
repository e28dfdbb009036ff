import { DecodeError } from '../errors.js';
import { readUtf8 } from './utf8.js';
import { FRAME_HEADER_BYTES, type ResolvedDecodeLimits } from './wire-format.js';

/** Most bytes a varint up to 2^53 - 1 takes (7 bits per byte). */
const MAX_VARINT_BYTES = 8;

/**
 * Reads the fields of one frame with every bound checked. Each method either returns a valid value or
 * throws {@link DecodeError}; nothing is allocated for a declared length or count until that length is
 * known to fit in the bytes that remain and in the limits.
 */
export class ByteReader {
  private offset = FRAME_HEADER_BYTES;

  /** `source` must already have passed `openFrame`. */
  constructor(
    private readonly source: Uint8Array,
    readonly limits: ResolvedDecodeLimits,
  ) {}

  /** A DecodeError naming `reason` and the current position, for callers to throw. */
  error(reason: string): DecodeError {
    return new DecodeError(`${reason} at byte ${this.offset}`);
  }

  private fail(reason: string): never {
    throw this.error(reason);
  }

  varint(): number {
    const source = this.source;
    let offset = this.offset;
    let byte = source[offset++];
    if (byte === undefined) this.fail('frame truncated in a varint');
    if (byte < 0x80) {
      this.offset = offset;
      return byte;
    }
    let value = byte & 0x7f;
    let scale = 0x80;
    for (let read = 1; ; read++) {
      byte = source[offset++];
      if (byte === undefined) this.fail('frame truncated in a varint');
      // Exact while the true value stays below 2^53: every partial sum is an integer below it. Above,
      // rounding is monotonic, so the result is still >= 2^53 and rejected below.
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0) this.fail('overlong varint');
        break;
      }
      if (read + 1 === MAX_VARINT_BYTES) this.fail('varint longer than 8 bytes');
      scale *= 0x80;
    }
    if (value > Number.MAX_SAFE_INTEGER) this.fail('varint above 2^53 - 1');
    this.offset = offset;
    return value;
  }

  bool(): boolean {
    const byte = this.source[this.offset];
    if (byte === 0 || byte === 1) {
      this.offset++;
      return byte === 1;
    }
    return this.fail(byte === undefined ? 'frame truncated in a boolean' : `invalid boolean byte ${byte}`);
  }

  /** A length-prefixed UTF-8 node id of at most `limits.maxIdBytes` bytes. */
  id(): string {
    const length = this.varint();
    if (length > this.limits.maxIdBytes) this.fail(`id of ${length} bytes exceeds maxIdBytes`);
    const start = this.offset;
    const end = start + length;
    if (end > this.source.length) this.fail(`id of ${length} bytes overruns the frame`);
    const text = readUtf8(this.source, start, end);
    this.offset = end;
    return text;
  }

  /** A length-prefixed UTF-8 string of at most `maxBytes` bytes (addresses and other free text). */
  text(maxBytes: number): string {
    const length = this.varint();
    if (length > maxBytes) this.fail(`text of ${length} bytes exceeds ${maxBytes}`);
    const start = this.offset;
    const end = start + length;
    if (end > this.source.length) this.fail(`text of ${length} bytes overruns the frame`);
    const text = readUtf8(this.source, start, end);
    this.offset = end;
    return text;
  }

  /** The frame's version byte (already checked by `openFrame`). */
  get version(): number {
    return this.source[0]!;
  }

  /** `length` raw bytes (no length prefix), as a view into the frame (no copy). */
  fixed(length: number): Uint8Array {
    const start = this.offset;
    const end = start + length;
    if (end > this.source.length) this.fail(`field of ${length} bytes overruns the frame`);
    this.offset = end;
    return this.source.subarray(start, end);
  }

  /** True when every byte of the frame was read. */
  atEnd(): boolean {
    return this.offset === this.source.length;
  }

  /** A length-prefixed byte string, returned as a view into the frame (no copy). */
  bytes(): Uint8Array {
    const length = this.varint();
    const start = this.offset;
    const end = start + length;
    if (end > this.source.length) this.fail(`payload of ${length} bytes overruns the frame`);
    this.offset = end;
    return this.source.subarray(start, end);
  }

  /**
   * A count of elements that each take at least `minElementBytes`: rejected if more than `max` or if
   * the remaining bytes cannot hold that many, so callers may then allocate for it.
   */
  count(minElementBytes: number, max: number, what: string): number {
    const count = this.varint();
    if (count > max) this.fail(`${count} ${what} exceed the limit of ${max}`);
    if (count * minElementBytes > this.source.length - this.offset) {
      this.fail(`${count} ${what} cannot fit in the ${this.source.length - this.offset} bytes left`);
    }
    return count;
  }

  /** Rejects bytes after the body. */
  end(): void {
    if (this.offset !== this.source.length) {
      this.fail(`${this.source.length - this.offset} trailing bytes after the body`);
    }
  }
}
