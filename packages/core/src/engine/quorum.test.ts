import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { majorityValue, quorumValue, voteResult } from './quorum.js';
import type { ClusterConfig, NodeId } from './types.js';

// The fast quorum arithmetic is checked against naive definitions (enumerate every subset of members,
// count directly), as etcd's quorum/quick_test.go does. Replay a failure with QUORUM_SEED=<seed>.

const SEED = Number(process.env['QUORUM_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 3000;
const POOL: readonly NodeId[] = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'];

// ---- naive reference -----------------------------------------------------------------------------

function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => (mask >> i) & 1));
  return out;
}

/** A set is a majority of `voters` if it holds more than half of them; an empty half constrains nothing. */
function isMajorityOf(set: ReadonlySet<NodeId>, voters: readonly NodeId[]): boolean {
  if (voters.length === 0) return true;
  return voters.filter((id) => set.has(id)).length * 2 > voters.length;
}

/** Thesis §4.3: while joint, a quorum is a majority of the new voters and a majority of the old ones. */
function isQuorum(set: ReadonlySet<NodeId>, config: ClusterConfig): boolean {
  if (config.voters.length + config.outgoingVoters.length === 0) return false;
  return isMajorityOf(set, config.voters) && isMajorityOf(set, config.outgoingVoters);
}

function voterUnion(config: ClusterConfig): NodeId[] {
  return [...new Set([...config.voters, ...config.outgoingVoters])];
}

/** The largest v such that at least a majority of `voters` have a value >= v, by counting. */
function naiveMajorityValue(voters: readonly NodeId[], valueAt: (id: NodeId) => number): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  const values = voters.map(valueAt);
  let best = Number.NEGATIVE_INFINITY;
  for (const candidate of values) {
    const holders = values.filter((v) => v >= candidate).length;
    if (holders * 2 > voters.length && candidate > best) best = candidate;
  }
  return best;
}

/** The largest value every member of some quorum has reached: max over quorums of the min value. */
function naiveQuorumValue(config: ClusterConfig, valueAt: (id: NodeId) => number): number {
  let best = 0;
  for (const subset of subsets(voterUnion(config))) {
    if (subset.length === 0 || !isQuorum(new Set(subset), config)) continue;
    best = Math.max(best, Math.min(...subset.map(valueAt)));
  }
  return best;
}

/** Won if the granted votes form a quorum; lost if even every missing vote could not make one. */
function naiveVoteResult(
  config: ClusterConfig,
  votes: ReadonlyMap<NodeId, boolean>,
): 'won' | 'lost' | 'pending' {
  const members = voterUnion(config);
  const granted = new Set(members.filter((id) => votes.get(id) === true));
  const possible = new Set(members.filter((id) => votes.get(id) !== false));
  if (isQuorum(granted, config)) return 'won';
  if (isQuorum(possible, config)) return 'pending';
  return 'lost';
}

// ---- generators ----------------------------------------------------------------------------------

const halfArb = fc.shuffledSubarray([...POOL], { minLength: 0, maxLength: 7 });
const configArb: fc.Arbitrary<ClusterConfig> = fc.record({
  voters: halfArb,
  // Half of the cases are joint; either half may be empty.
  outgoingVoters: fc.oneof(fc.constant([]), halfArb),
  learners: fc.shuffledSubarray([...POOL], { maxLength: 3 }),
});
/** A value for every id of the pool (ids outside the configuration must not matter). */
const valuesArb = fc
  .array(fc.nat({ max: 12 }), { minLength: POOL.length, maxLength: POOL.length })
  .map((values) => new Map(POOL.map((id, i) => [id, values[i]!])));
const votesArb = fc
  .array(fc.constantFrom<boolean | undefined>(true, false, undefined), {
    minLength: POOL.length,
    maxLength: POOL.length,
  })
  .map((votes) => {
    const map = new Map<NodeId, boolean>();
    POOL.forEach((id, i) => {
      const vote = votes[i];
      if (vote !== undefined) map.set(id, vote);
    });
    return map;
  });

const params = { seed: SEED, numRuns: RUNS };

describe(`quorum arithmetic against a naive reference (seed ${SEED})`, () => {
  it('majorityValue is the largest value held by a majority of the voters', () => {
    fc.assert(
      fc.property(halfArb, valuesArb, (voters, values) => {
        const valueAt = (id: NodeId) => values.get(id)!;
        expect(majorityValue(voters, valueAt)).toBe(naiveMajorityValue(voters, valueAt));
      }),
      params,
    );
  });

  it('quorumValue is the largest value every member of some quorum reached, joint configs included', () => {
    // Thesis §4.3: commit (and read rounds) need a majority of both halves of a joint configuration.
    fc.assert(
      fc.property(configArb, valuesArb, (config, values) => {
        const valueAt = (id: NodeId) => values.get(id)!;
        expect(quorumValue(config, valueAt)).toBe(naiveQuorumValue(config, valueAt));
      }),
      params,
    );
  });

  it('voteResult is won, lost or pending exactly as the naive count says', () => {
    // Raft §5.2 (a majority of votes wins) and thesis §4.3 (both majorities while joint).
    fc.assert(
      fc.property(configArb, votesArb, (config, votes) => {
        expect(voteResult(config, votes)).toBe(naiveVoteResult(config, votes));
      }),
      params,
    );
  });

  it('learners and non-members never change a quorum value or a vote', () => {
    fc.assert(
      fc.property(configArb, valuesArb, votesArb, (config, values, votes) => {
        const members = new Set(voterUnion(config));
        const others = POOL.filter((id) => !members.has(id));
        const bumped = new Map(values);
        const flipped = new Map(votes);
        for (const id of others) {
          bumped.set(id, 1000);
          flipped.set(id, !(votes.get(id) ?? false));
        }
        expect(quorumValue(config, (id) => bumped.get(id)!)).toBe(
          quorumValue(config, (id) => values.get(id)!),
        );
        expect(voteResult(config, flipped)).toBe(voteResult(config, votes));
      }),
      params,
    );
  });
});

describe('quorum edge cases', () => {
  const config = (voters: NodeId[], outgoingVoters: NodeId[] = []): ClusterConfig => ({
    voters,
    outgoingVoters,
    learners: [],
  });

  it('a configuration without voters has quorum value 0 and elects nobody', () => {
    expect(quorumValue(config([]), () => 5)).toBe(0);
    expect(voteResult(config([]), new Map())).toBe('lost');
  });

  it('an empty half of a joint configuration imposes no constraint', () => {
    const values = new Map([
      ['a', 7],
      ['b', 3],
      ['c', 1],
    ]);
    expect(quorumValue(config([], ['a', 'b', 'c']), (id) => values.get(id)!)).toBe(3);
    expect(
      voteResult(
        config([], ['a', 'b', 'c']),
        new Map([
          ['a', true],
          ['b', true],
        ]),
      ),
    ).toBe('won');
  });

  it('a joint configuration needs both majorities', () => {
    const values = new Map([
      ['a', 9],
      ['b', 9],
      ['c', 1],
      ['d', 1],
    ]);
    // {a, b} is a majority of the new voters but not of the old {b, c, d}.
    expect(quorumValue(config(['a', 'b', 'c'], ['b', 'c', 'd']), (id) => values.get(id)!)).toBe(1);
    expect(
      voteResult(
        config(['a', 'b', 'c'], ['b', 'c', 'd']),
        new Map([
          ['a', true],
          ['b', true],
          ['c', false],
          ['d', false],
        ]),
      ),
    ).toBe('lost');
  });
});
