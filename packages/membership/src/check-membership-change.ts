import type { ClusterConfig, NodeId } from '@raft/core';
import {
  InvalidTargetError,
  LastVoterError,
  type MembershipError,
  QuorumAtRiskError,
  type QuorumScope,
} from './errors.js';
import { validateMemberId } from './member-validation.js';

/** Size of a majority of `count` voters (Raft §5.2): more than half. */
export function majoritySize(count: number): number {
  return Math.floor(count / 2) + 1;
}

/**
 * Decides whether changing the membership from `current` to `target` is safe to attempt, given which
 * nodes are reachable now. Pure: no I/O, no clock; the workflows of {@link Membership} call it with the
 * leader's view, and tools can call it with theirs (for a dry run, say).
 *
 * Returns `undefined` when the change may go ahead, otherwise the refusal (not thrown, so callers can
 * collect or print it):
 * - {@link InvalidTargetError} (`RAFT_MEMBERSHIP_INVALID_TARGET`): `target` is joint, names a node twice
 *   or names an invalid id ({@link validateMemberId}).
 * - {@link LastVoterError} (`RAFT_MEMBERSHIP_LAST_VOTER`): `target` has no voter.
 * - {@link QuorumAtRiskError} (`RAFT_MEMBERSHIP_QUORUM_AT_RISK`): fewer reachable voters than a
 *   majority of `current` (of each half while `current` is joint), or of `target`.
 *
 * Why both configurations: a change that needs a joint configuration (more than one voter changed, or
 * a leader that has not yet committed in its term) commits only with a majority of the old voters AND
 * of the new ones (Raft thesis §4.3); the final configuration then needs a majority of the new voters
 * to commit anything at all, forever. A change that takes a single step needs only the new majority,
 * but the caller cannot tell in advance which path the leader takes, so the guard asks for both. The
 * one change this refuses although it could succeed is removing a voter from a cluster that has
 * already lost its current quorum but would regain one without it; do that with the core's
 * `changeMembership` directly, knowingly.
 *
 * @param current the configuration in force (the leader's `status().config`)
 * @param target the configuration wanted (not joint)
 * @param reachable the nodes believed reachable; see {@link reachableMembers} for what the workflows use
 */
export function checkMembershipChange(
  current: ClusterConfig,
  target: ClusterConfig,
  reachable: Iterable<NodeId>,
): MembershipError | undefined {
  const invalid = targetProblem(target);
  if (invalid !== undefined) return invalid;
  if (target.voters.length === 0) {
    const removed = current.voters.filter((id) => !target.voters.includes(id));
    return new LastVoterError(removed.length === 1 ? removed[0] : undefined);
  }
  const up = new Set(reachable);
  const scopes: [QuorumScope, readonly NodeId[]][] = [
    ['current', current.voters],
    ['current', current.outgoingVoters],
    ['target', target.voters],
  ];
  for (const [scope, voters] of scopes) {
    // An empty half (the outgoing voters of a configuration that is not joint) imposes nothing.
    if (voters.length === 0) continue;
    const counted = voters.filter((id) => up.has(id));
    const needed = majoritySize(voters.length);
    if (counted.length < needed) return new QuorumAtRiskError(scope, voters, counted, needed);
  }
  return undefined;
}

/** Why `target` cannot be proposed at all, whatever is reachable. */
function targetProblem(target: ClusterConfig): MembershipError | undefined {
  if (target.outgoingVoters.length > 0) {
    return new InvalidTargetError('a target configuration cannot be joint (outgoingVoters must be empty)');
  }
  const members = [...target.voters, ...target.learners];
  for (const id of members) {
    try {
      validateMemberId(id);
    } catch (error) {
      return new InvalidTargetError(`invalid member id ${JSON.stringify(id)}`, { cause: error });
    }
  }
  if (new Set(members).size !== members.length) {
    return new InvalidTargetError('a node appears twice among the voters and learners of the target');
  }
  return undefined;
}
