import type { NodeId, RaftStatus } from '@raft/core';

/**
 * The nodes a leader counts as reachable: itself, plus every member whose progress is `recentActive`,
 * read from the leader's `status()`. Returns `[]` on a node that is not the leader (it holds no
 * progress).
 *
 * Why this signal: `recentActive` is set whenever the leader hears any answer from that member
 * (append, heartbeat or snapshot response) and cleared at the end of every CheckQuorum window (one
 * election timeout, Raft thesis §6.2). It is exactly what the leader itself uses to decide whether it
 * still has a quorum, so it asks "did this node answer me within the last election timeout?": a node
 * that did is running, holds this leader's term and has a working link to the leader, which is what a
 * configuration change needs from a voter to commit. It costs nothing (no extra round trip) and is the
 * same on every transport.
 *
 * Its limits, which the guards accept because they err towards refusing:
 * - It looks back up to one election timeout: a node that died a moment ago still counts until the
 *   window ends. The guard is a check against obvious mistakes (removing the one healthy voter while
 *   another is down), not a proof; a change that then cannot commit times out instead.
 * - Just after a window ends every flag is false until the next heartbeat answers arrive (one round
 *   trip). The workflows therefore take a second sample one poll interval later before refusing, and
 *   count a node reachable if either sample saw it.
 * - A member added in the current window counts as active until the window ends, before it ever
 *   answered (the engine does so to keep CheckQuorum from failing right after a change). Voters added
 *   through the workflows were learners that already proved themselves by catching up.
 * - It says the leader can reach the node, not that other nodes can; after a partition heals elsewhere
 *   the picture may differ.
 * - With `checkQuorum: false` the engine never clears the flags, so a node that answered once stays
 *   "reachable" for the rest of the term: keep CheckQuorum on (the default) for the guards to mean much.
 */
export function reachableMembers(status: RaftStatus): NodeId[] {
  if (status.role !== 'leader') return [];
  const reachable = [status.id];
  for (const [id, progress] of status.progress) if (progress.recentActive) reachable.push(id);
  return reachable;
}
