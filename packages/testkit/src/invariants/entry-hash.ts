import type { Entry } from '@raft/core';

/** The chain hash before index 1 (an empty log). */
export const EMPTY_CHAIN_HASH = 0;

/**
 * A hash of `entry` and, through `previous`, of every entry before it. Two logs with equal chain hashes
 * at an index hold the same entries up to it (up to collisions, which can only hide a violation, never
 * invent one): Log Matching and State Machine Safety then cost one comparison per index.
 * The result is a non-negative integer below 2^53 built from two independent 32-bit lanes.
 */
export function chainHash(previous: number, entry: Entry): number {
  let a = (previous >>> 0) ^ 0x811c9dc5;
  let b = Math.floor(previous / 4294967296) ^ 0x9e3779b9;
  const mix = (value: number): void => {
    a = Math.imul(a ^ value, 0x01000193);
    b = Math.imul(b ^ value, 0x5bd1e995);
    b ^= b >>> 15;
  };
  mix(entry.index);
  mix(Math.floor(entry.index / 4294967296));
  mix(entry.term);
  mix(Math.floor(entry.term / 4294967296));
  mix(entry.type === 'normal' ? 1 : 2);
  mix(entry.data.length);
  for (const byte of entry.data) mix(byte);
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  // 32 bits of lane a and 21 bits of lane b: still an exact integer in a double.
  return (a >>> 0) + (b & 0x1fffff) * 4294967296;
}
