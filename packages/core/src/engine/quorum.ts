import type { ClusterConfig, NodeId } from './types.js';

/** Outcome of a vote count. */
export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * The largest value that a majority of `voters` has reached, where `valueFor` gives each voter's value
 * (its match index for commit, its acknowledged read round for ReadIndex). An empty voter set imposes no
 * constraint, so it returns +Infinity: a joint configuration's min() then ignores the empty half.
 */
export function majorityValue(voters: readonly NodeId[], valueFor: (id: NodeId) => number): number {
  const count = voters.length;
  if (count === 0) return Number.POSITIVE_INFINITY;
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = valueFor(voters[i]!);
  values.sort((a, b) => b - a);
  // Sorted high to low, the value at position floor(n/2) is held by at least floor(n/2)+1 voters.
  return values[count >> 1]!;
}

/**
 * The largest value a quorum of `config` has reached: a majority of the voters, and while joint a
 * majority of the outgoing voters too (Raft thesis §4.3). Returns 0 for a configuration with no voters.
 */
export function quorumValue(config: ClusterConfig, valueFor: (id: NodeId) => number): number {
  const value = Math.min(
    majorityValue(config.voters, valueFor),
    majorityValue(config.outgoingVoters, valueFor),
  );
  return value === Number.POSITIVE_INFINITY ? 0 : value;
}

function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const needed = (voters.length >> 1) + 1;
  if (granted >= needed) return 'won';
  if (granted + missing >= needed) return 'pending';
  return 'lost';
}

/** Tally an election under `config`: joint configurations need both majorities (thesis §4.3). */
export function voteResult(config: ClusterConfig, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const incoming = majorityVote(config.voters, votes);
  const outgoing = majorityVote(config.outgoingVoters, votes);
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  if (incoming === 'won' && outgoing === 'won') {
    // A configuration with no voters at all elects nobody.
    return config.voters.length + config.outgoingVoters.length === 0 ? 'lost' : 'won';
  }
  return 'pending';
}
