import type { ClusterConfig, NodeId } from './types.js';

/** A configuration with no members: a node that waits to be added. */
export const EMPTY_CONFIG: ClusterConfig = Object.freeze({ voters: [], outgoingVoters: [], learners: [] });

/** True if `id` votes in `config` (in either half of a joint configuration). */
export function isVoter(config: ClusterConfig, id: NodeId): boolean {
  return config.voters.includes(id) || config.outgoingVoters.includes(id);
}

/** Every node that takes part: voters, outgoing voters and learners, each once, in a stable order. */
export function allMembers(config: ClusterConfig): NodeId[] {
  const members = new Set<NodeId>([...config.voters, ...config.outgoingVoters, ...config.learners]);
  return [...members];
}

/** Every voter of either half, each once. */
export function allVoters(config: ClusterConfig): NodeId[] {
  return [...new Set<NodeId>([...config.voters, ...config.outgoingVoters])];
}

/** True when both configurations give every member the same address (and name the same members). */
export function sameAddresses(a: ClusterConfig, b: ClusterConfig): boolean {
  const left = Object.entries(a.addresses ?? {});
  const right = b.addresses ?? {};
  return left.length === Object.keys(right).length && left.every(([id, address]) => right[id] === address);
}
