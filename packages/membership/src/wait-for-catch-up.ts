import {
  type AbortSignalLike,
  type NodeId,
  NotLeaderError,
  type RaftNode,
  type RaftStatus,
} from '@raft/core';
import { clockDelay, throwIfAborted } from './clock-wait.js';
import { CatchUpTimeoutError, UnknownMemberError } from './errors.js';
import type { ResolvedMembershipOptions } from './membership-options.js';
import { roleOf } from './membership-plan.js';

/** What the workflows need of a node: its status and the core's change mechanism. */
export type MembershipNode = Pick<RaftNode<unknown>, 'id' | 'status' | 'changeMembership'>;

/**
 * How far `id` is behind the leader: the leader's last index minus `id`'s match index, or undefined
 * when `node` holds no progress for it (it is not the leader, or `id` is not a member).
 */
export function replicationLag(node: MembershipNode, id: NodeId): number | undefined {
  return lagIn(node.status(), id);
}

function lagIn(status: RaftStatus, id: NodeId): number | undefined {
  const progress = status.progress.get(id);
  return progress === undefined ? undefined : Math.max(0, status.lastIndex - progress.match);
}

/**
 * Polls the leader's `status()` until learner `id` is within `maxLag` entries of the leader's log
 * (Raft thesis §4.2.1: a new server joins as a non-voting member until it has caught up, so adding it
 * cannot stall commits while it copies the log). The core has no event for a follower's progress,
 * so this reads `status()` every `pollIntervalMs` on the workflows' clock. Resolves with the lag seen.
 *
 * @throws CatchUpTimeoutError (`RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT`) with the last lag seen;
 * NotLeaderError if the node stops leading meanwhile; UnknownMemberError if `id` stops being a
 * learner meanwhile; the signal's reason when it aborts.
 */
export async function waitForCatchUp(
  node: MembershipNode,
  id: NodeId,
  options: ResolvedMembershipOptions,
  signal?: AbortSignalLike,
): Promise<number> {
  const { clock, catchUpMaxLagEntries: maxLag, catchUpTimeoutMs, pollIntervalMs } = options;
  const startedAt = clock.now();
  const deadline = startedAt + catchUpTimeoutMs;
  let lag: number | undefined;
  for (;;) {
    throwIfAborted(signal);
    const status = node.status();
    if (status.role !== 'leader') throw new NotLeaderError(status.leader);
    if (roleOf(status.config, id) !== 'learner') throw new UnknownMemberError(id, 'learner');
    lag = lagIn(status, id);
    if (lag !== undefined && lag <= maxLag) return lag;
    const now = clock.now();
    if (now >= deadline) throw new CatchUpTimeoutError(id, lag, maxLag, now - startedAt);
    await clockDelay(clock, Math.min(pollIntervalMs, deadline - now), signal);
  }
}
