import type { ProposeOptions, RaftNode } from '@raft/core';
import { HttpError } from './http-error.js';
import { noLeaderError, raftErrorToHttp } from './raft-http-errors.js';

/**
 * How fresh a read must be: `linearizable` (ReadIndex through the leader), `lease` (served from the
 * leader's lease when it holds, else as `linearizable`), `stale` (this node's state as applied, even
 * without a leader).
 */
export type ReadConsistency = 'linearizable' | 'lease' | 'stale';

/** The `?consistency=` query parameter (default `linearizable`). @throws HttpError 400 `bad_consistency`. */
export function parseReadConsistency(url: URL): ReadConsistency {
  const value = url.searchParams.get('consistency') ?? 'linearizable';
  if (value !== 'linearizable' && value !== 'lease' && value !== 'stale') {
    throw new HttpError(400, 'bad_consistency', 'consistency must be linearizable, lease or stale');
  }
  return value;
}

/**
 * Waits until this node may serve a read of the given consistency from its state machine.
 * @throws HttpError 503 `no_leader` without a known leader (except for `stale`), or the mapping of
 * {@link raftErrorToHttp} for a barrier that fails.
 */
export async function readBarrier(
  node: RaftNode<unknown>,
  consistency: ReadConsistency,
  timeoutMs: number,
): Promise<void> {
  if (consistency === 'stale') return;
  if (node.leader() === '') throw noLeaderError();
  try {
    await node.read({ timeoutMs, lease: consistency === 'lease' });
  } catch (error) {
    throw raftErrorToHttp(error, 'read');
  }
}

/**
 * Proposes a command and resolves with the state machine's result once applied on this node. Pass
 * `{ transfer: true }` for a freshly encoded command never touched again: the node keeps `data` itself
 * instead of a copy (see `ProposeOptions.transfer`).
 * @throws HttpError 503 `no_leader` at once when no leader is known (nothing proposed), or the mapping
 * of {@link raftErrorToHttp} (503 not applied, 504 indeterminate).
 */
export async function proposeCommand<Result>(
  node: RaftNode<Result>,
  data: Uint8Array,
  timeoutMs: number,
  options: Pick<ProposeOptions, 'transfer'> = {},
): Promise<Result> {
  if (node.leader() === '') throw noLeaderError();
  try {
    return await node.propose(data, { timeoutMs, transfer: options.transfer === true });
  } catch (error) {
    throw raftErrorToHttp(error, 'write');
  }
}
