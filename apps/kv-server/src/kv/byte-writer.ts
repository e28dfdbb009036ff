const encoder = new TextEncoder();

/** Bytes {@link ByteWriter.varint} writes for `value`. */
export function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Bytes {@link ByteWriter.string} writes for `value`: its UTF-8 length and the varint before it. */
export function stringSize(value: string): number {
  const length = Buffer.byteLength(value);
  return varintSize(length) + length;
}

/**
 * Appends unsigned varints, length-prefixed bytes and strings to a growing buffer. Shared by the command
 * and snapshot encodings. Varints are LEB128 computed with arithmetic, not bit operators, so every safe
 * integer (log indices and millisecond stamps exceed 2^31) round-trips.
 *
 * Given the exact size up front (see {@link varintSize}, {@link stringSize}), it allocates one buffer and
 * {@link finish} hands that buffer over without a copy: on a leader under write load each allocation of a
 * buffer of its own is a malloc, a free and a GC bookkeeping entry per request.
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
    this.reserve(varintSize(value));
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

  /** UTF-8 with a varint length, encoded straight into the buffer. */
  string(value: string): this {
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.reserve(length);
    encoder.encodeInto(value, this.buffer.subarray(this.length, this.length + length));
    this.length += length;
    return this;
  }

  /**
   * What was written: the writer's own buffer when it is exactly full, else a copy. The writer must not
   * be used afterwards.
   */
  finish(): Uint8Array {
    return this.length === this.buffer.length ? this.buffer : this.buffer.slice(0, this.length);
  }

  /** Returns a copy of what was written and starts over (for chunked output). */
  take(): Uint8Array {
    const result = this.buffer.slice(0, this.length);
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
