import type { ClusterConfig, NodeId } from '@raft/core';
import { AlreadyMemberError, InvalidTargetError, UnknownMemberError } from './errors.js';
import { validateAddress, validateMemberId } from './member-validation.js';

// Pure planning: each workflow step turns the configuration in force into the one to propose, or
// refuses with the reason. Kept apart from the waiting and proposing so the rules are testable alone.

/** The membership a caller asks for in {@link Membership.changeMembers}. */
export interface MembershipTarget {
  readonly voters: readonly NodeId[];
  /** Default: none. */
  readonly learners?: readonly NodeId[];
  /**
   * Addresses of members; a member without one here keeps the address the current configuration
   * gives it (if any). Addresses of nodes that are not members of the target are refused.
   */
  readonly addresses?: Readonly<Record<NodeId, string>>;
}

/** The role of `id` in `config`, if any. A voter of either half of a joint configuration is a voter. */
export function roleOf(config: ClusterConfig, id: NodeId): 'voter' | 'learner' | undefined {
  if (config.voters.includes(id) || config.outgoingVoters.includes(id)) return 'voter';
  if (config.learners.includes(id)) return 'learner';
  return undefined;
}

/** A non-joint configuration with `voters` and `learners`, and the addresses of those members only. */
function configOf(
  voters: readonly NodeId[],
  learners: readonly NodeId[],
  addresses: Readonly<Record<NodeId, string>>,
): ClusterConfig {
  const kept: Record<NodeId, string> = {};
  for (const id of [...voters, ...learners]) {
    const address = addresses[id];
    if (address !== undefined) kept[id] = address;
  }
  return { voters: [...voters], outgoingVoters: [], learners: [...learners], addresses: kept };
}

/**
 * The configuration with `id` added as a learner at `address`, or `undefined` if it already is one
 * there (nothing to do).
 *
 * @throws InvalidMemberIdError, InvalidAddressError for bad input; AlreadyMemberError when `id` is a
 * voter, or a learner at another address.
 */
export function planAddLearner(
  config: ClusterConfig,
  id: NodeId,
  address: string,
): ClusterConfig | undefined {
  validateMemberId(id);
  validateAddress(address);
  const role = roleOf(config, id);
  const known = config.addresses?.[id];
  if (role === 'learner' && known === address) return undefined;
  if (role !== undefined) throw new AlreadyMemberError(id, role, known);
  return configOf(config.voters, [...config.learners, id], { ...config.addresses, [id]: address });
}

/**
 * The configuration with learner `id` made a voter.
 *
 * @throws InvalidMemberIdError; AlreadyMemberError when it is a voter; UnknownMemberError (expected
 * `learner`) when it is not a member.
 */
export function planPromote(config: ClusterConfig, id: NodeId): ClusterConfig {
  validateMemberId(id);
  const role = roleOf(config, id);
  if (role === 'voter') throw new AlreadyMemberError(id, role, config.addresses?.[id]);
  if (role === undefined) throw new UnknownMemberError(id, 'learner');
  return configOf(
    [...config.voters, id],
    config.learners.filter((learner) => learner !== id),
    config.addresses ?? {},
  );
}

/**
 * The configuration without `id` (voter or learner). Removing the last voter is left to the guard
 * ({@link checkMembershipChange}), which refuses it with `RAFT_MEMBERSHIP_LAST_VOTER`.
 *
 * @throws InvalidMemberIdError; UnknownMemberError (expected `member`) when it is not a member.
 */
export function planRemove(config: ClusterConfig, id: NodeId): ClusterConfig {
  validateMemberId(id);
  if (roleOf(config, id) === undefined) throw new UnknownMemberError(id, 'member');
  return configOf(
    config.voters.filter((voter) => voter !== id),
    config.learners.filter((learner) => learner !== id),
    config.addresses ?? {},
  );
}

/**
 * The configuration where learner `newId` takes voter `oldId`'s place (one change: the leader goes
 * through a joint configuration, since two voters change).
 *
 * @throws InvalidMemberIdError; InvalidTargetError when both ids are the same; UnknownMemberError when
 * `oldId` is not a voter (expected `voter`) or `newId` not a learner (expected `learner`).
 */
export function planReplace(config: ClusterConfig, oldId: NodeId, newId: NodeId): ClusterConfig {
  validateMemberId(oldId);
  validateMemberId(newId);
  if (oldId === newId) throw new InvalidTargetError('a node cannot replace itself');
  if (roleOf(config, oldId) !== 'voter') throw new UnknownMemberError(oldId, 'voter');
  if (roleOf(config, newId) !== 'learner') throw new UnknownMemberError(newId, 'learner');
  return configOf(
    config.voters.map((voter) => (voter === oldId ? newId : voter)),
    config.learners.filter((learner) => learner !== newId),
    config.addresses ?? {},
  );
}

/**
 * The final configuration for {@link MembershipTarget} `target`: its voters and learners, with the
 * addresses it gives and, for members it gives none, the ones `config` has.
 *
 * @throws InvalidMemberIdError, InvalidAddressError; InvalidTargetError for an address of a node that is
 * not a member of the target, or a malformed target.
 */
export function planChangeMembers(config: ClusterConfig, target: MembershipTarget): ClusterConfig {
  if (!Array.isArray(target.voters) || (target.learners !== undefined && !Array.isArray(target.learners))) {
    throw new InvalidTargetError('voters and learners must be arrays of node ids');
  }
  const learners = target.learners ?? [];
  const members = new Set<NodeId>([...target.voters, ...learners]);
  for (const id of members) validateMemberId(id);
  const given = target.addresses ?? {};
  for (const [id, address] of Object.entries(given)) {
    if (!members.has(id))
      throw new InvalidTargetError(`an address is given for ${id}, not a member of the target`);
    validateAddress(address);
  }
  return configOf(target.voters, learners, { ...config.addresses, ...given });
}
