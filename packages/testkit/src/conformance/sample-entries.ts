import type { Entry, EntryType } from '@raft/core';

/** One entry; `data` defaults to a single byte derived from the index. */
export function sampleEntry(
  index: number,
  term: number,
  data: Uint8Array = Uint8Array.of(index % 256),
  type: EntryType = 'normal',
): Entry {
  return { index, term, type, data };
}

/** Entries `from` to `to` inclusive, all of `term`. */
export function sampleEntries(from: number, to: number, term: number): Entry[] {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(sampleEntry(index, term));
  return entries;
}

/** `length` bytes in a pattern that covers every byte value and is unlikely to survive a bug intact. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = (state >>> 24) ^ i;
  }
  return bytes;
}

/** True when `a` and `b` hold the same bytes (a Buffer and a Uint8Array may be equal). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A copy of `value` in which every byte array is a plain `Uint8Array`, so that `toEqual` compares
 * contents: implementations may hand back a subclass such as Node's Buffer, which `toEqual` would
 * otherwise tell apart from the Uint8Array that was written.
 */
export function plainCopy<T>(value: T): T {
  return plain(value) as T;
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = plain(field);
  return copy;
}
