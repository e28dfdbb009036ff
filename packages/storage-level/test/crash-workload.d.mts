import type { ClusterConfig, HardState } from '@raft/core';

export function payload(index: number, term: number): Uint8Array;
export function hardStateFor(term: number, from: number): HardState;
export function prng(seed: number): () => number;
export function snapshotBytes(index: number, term: number, nonce: number, size: number): Uint8Array;
export function cut(data: Uint8Array, chunks: number): Uint8Array[];
export const SNAPSHOT_CONFIG: ClusterConfig;
