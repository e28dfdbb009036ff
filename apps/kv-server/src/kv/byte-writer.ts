const encoder = new TextEncoder();

/**
 * Appends unsigned varints, length-prefixed bytes and strings to a growing buffer. Shared by the command
 * and snapshot encodings. Varints are LEB128 computed with arithmetic, not bit operators, so every safe
 * integer (log indices and millisecond stamps exceed 2^31) round-trips.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  /** A non-negative safe integer as an unsigned LEB128 varint (1 to 8 bytes). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a varint: ${value}`);
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) + 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
    return this;
  }

  /** A varint length, then the bytes. */
  bytes(value: Uint8Array): this {
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** UTF-8 with a varint length. */
  string(value: string): this {
    return this.bytes(encoder.encode(value));
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** Returns what was written and starts over (for chunked output). */
  take(): Uint8Array {
    const result = this.finish();
    this.length = 0;
    return result;
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
