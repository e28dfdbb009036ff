import type { HardState } from '@raft/core';

export function payload(index: number, term: number): Uint8Array;
export function hardStateFor(term: number, from: number): HardState;
export function prng(seed: number): () => number;
