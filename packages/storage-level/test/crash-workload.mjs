// The batches the crash test writes, shared by the child that writes them and the parent that checks
// them: every entry's payload is derived from its index and term, so the parent can recompute it.

/** Payload of the entry at `index` written in `term`: 0 to 299 bytes, different for every pair. */
export function payload(index, term) {
  const length = (index * 7 + term * 13) % 300;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (index * 31 + term * 17 + i) & 0xff;
  return bytes;
}

/** The hard state persisted with a batch of `term` that starts at `from`. */
export function hardStateFor(term, from) {
  return { term, vote: `n${term % 5}`, commit: from - 1 };
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same run. */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Data of a snapshot the crash test writes: `size` bytes derived from its index, term and nonce. */
export function snapshotBytes(index, term, nonce, size) {
  const bytes = new Uint8Array(size);
  let state = (index * 2654435761 + term * 40503 + nonce * 9973) >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** `data` cut into `chunks` pieces of nearly equal size (the last may be shorter, none is empty). */
export function cut(data, chunks) {
  const size = Math.max(1, Math.ceil(data.length / chunks));
  const pieces = [];
  for (let at = 0; at < data.length; at += size) pieces.push(data.subarray(at, at + size));
  return pieces;
}

/** The configuration every crash-test snapshot records. */
export const SNAPSHOT_CONFIG = { voters: ['n0', 'n1', 'n2'], outgoingVoters: [], learners: [] };
