import { KvFormatError } from './kv-errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The largest varint {@link ByteWriter} writes: 8 bytes hold every safe integer. */
const MAX_VARINT_BYTES = 8;

/** Reads what {@link ByteWriter} wrote from one buffer; every malformed input throws {@link KvFormatError}. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  byte(): number {
    if (this.offset >= this.buffer.length) throw new KvFormatError('unexpected end of data');
    return this.buffer[this.offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.byte();
      value += (byte % 0x80) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new KvFormatError('varint beyond the safe integers');
        return value;
      }
      scale *= 0x80;
    }
    throw new KvFormatError('varint too long');
  }

  /** Length-prefixed bytes, copied: the result may outlive the buffer it was read from. */
  bytes(): Uint8Array {
    return this.view().slice();
  }

  /** Length-prefixed UTF-8, decoded from the buffer in place. */
  string(): string {
    try {
      return decoder.decode(this.view());
    } catch (error) {
      if (error instanceof KvFormatError) throw error;
      throw new KvFormatError('invalid UTF-8');
    }
  }

  private view(): Uint8Array {
    const length = this.varint();
    if (length > this.remaining) throw new KvFormatError('length beyond the end of data');
    const view = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  /** Throws unless every byte was read: trailing bytes mean a frame of another shape. */
  end(): void {
    if (this.remaining !== 0) throw new KvFormatError(`${this.remaining} trailing bytes`);
  }
}
