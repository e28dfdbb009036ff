import { DecodeError } from '../errors.js';

// The package builds with `lib: ES2022` and no DOM or Node types, so the WHATWG text codecs (present in
// every browser and in Node) are typed here by the little this file uses.
interface Utf8Encoder {
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
interface TextCodecGlobals {
  TextEncoder: new () => Utf8Encoder;
  TextDecoder: new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;
}
const textGlobals = globalThis as unknown as TextCodecGlobals;
const encoder = new textGlobals.TextEncoder();
// fatal: invalid UTF-8 must be a DecodeError, not a silent U+FFFD. ignoreBOM: a node id may start with
// U+FEFF and must come back unchanged.
const decoder = new textGlobals.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Below this many bytes a plain loop beats a call into the text codec for ASCII. */
const SHORT_STRING_BYTES = 64;

/**
 * Bytes `value` takes in UTF-8, as TextEncoder would write it: a lone surrogate becomes U+FFFD (3 bytes),
 * so ids must be well-formed Unicode to round-trip.
 */
export function utf8Size(value: string): number {
  const length = value.length;
  let size = length;
  for (let i = 0; i < length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      size += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: two code units, four bytes.
        size += 2;
        i++;
      } else {
        size += 2;
      }
    } else {
      size += 2;
    }
  }
  return size;
}

/** Writes `value` (whose UTF-8 size is `byteLength`) at `offset`; returns the offset after it. */
export function writeUtf8(target: Uint8Array, offset: number, value: string, byteLength: number): number {
  if (byteLength === value.length && byteLength <= SHORT_STRING_BYTES) {
    for (let i = 0; i < byteLength; i++) target[offset + i] = value.charCodeAt(i);
  } else {
    const { written } = encoder.encodeInto(value, target.subarray(offset, offset + byteLength));
    if (written !== byteLength) throw new Error(`codec bug: UTF-8 size ${byteLength} but wrote ${written}`);
  }
  return offset + byteLength;
}

/** Decodes bytes [start, end) of `source`; invalid UTF-8 throws {@link DecodeError}. */
export function readUtf8(source: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_STRING_BYTES) {
    let text = '';
    let i = start;
    for (; i < end; i++) {
      const byte = source[i]!;
      if (byte >= 0x80) break;
      text += String.fromCharCode(byte);
    }
    if (i === end) return text;
  }
  try {
    return decoder.decode(source.subarray(start, end));
  } catch {
    throw new DecodeError(`invalid UTF-8 in a string at byte ${start}`);
  }
}
