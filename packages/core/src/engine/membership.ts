import type { ClusterConfig, NodeId } from './types.js';

/** Why a configuration change was refused. */
export type ConfigChangeProblem = 'empty-voters' | 'duplicate-member' | 'empty-id' | 'joint-target';

/** What is wrong with `target` as a final configuration, or undefined when it can be proposed. */
export function configProblem(target: ClusterConfig): ConfigChangeProblem | undefined {
  if (target.outgoingVoters.length > 0) return 'joint-target';
  if (target.voters.length === 0) return 'empty-voters';
  const members = [...target.voters, ...target.learners];
  if (members.some((id) => id === '')) return 'empty-id';
  if (new Set(members).size !== members.length) return 'duplicate-member';
  return undefined;
}

/** True while a joint configuration (old and new voters both deciding) is in force. */
export function isJoint(config: ClusterConfig): boolean {
  return config.outgoingVoters.length > 0;
}

function symmetricDifference(a: readonly NodeId[], b: readonly NodeId[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let count = 0;
  for (const id of left) if (!right.has(id)) count++;
  for (const id of right) if (!left.has(id)) count++;
  return count;
}

/**
 * The configuration to append for a change from `current` to `target` (Raft thesis §4.2-4.3):
 * - voters unchanged (learners or addresses only): `target` at once, since quorums do not change;
 * - one voter added or removed: `target` at once, but only once this leader committed an entry of its
 *   own term. Any majority of the old voters then overlaps any majority of the new ones, and the
 *   current-term commit rules out the 2015 bug, where a new leader's single-server change raced an
 *   uncommitted one from an earlier term;
 * - anything else: the joint configuration (new voters, with the current ones as outgoing voters),
 *   which needs majorities of both; the leader leaves it for `target` once it commits.
 */
export function nextConfig(
  current: ClusterConfig,
  target: ClusterConfig,
  committedInCurrentTerm: boolean,
): ClusterConfig {
  const difference = symmetricDifference(current.voters, target.voters);
  if (difference === 0 || (difference === 1 && committedInCurrentTerm)) return target;
  return { ...target, voters: target.voters, outgoingVoters: [...current.voters] };
}

/** The configuration that ends the joint configuration `joint`: its incoming half alone. */
export function leaveJoint(joint: ClusterConfig): ClusterConfig {
  return { ...joint, outgoingVoters: [] };
}
