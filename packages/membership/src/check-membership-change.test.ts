import { type ClusterConfig, type NodeId, quorumValue } from '@raft/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMembershipChange, majoritySize } from './check-membership-change.js';
import { QuorumAtRiskError } from './errors.js';

// The guard is pure arithmetic over voter sets, so it is checked case by case and then against a naive
// reference built on the core's own quorum function (the one the engine commits with) over random
// configurations. The seed is printed so a failure replays: FC_SEED=<seed> npx vitest run <this file>.

const config = (voters: NodeId[], learners: NodeId[] = [], outgoingVoters: NodeId[] = []): ClusterConfig => ({
  voters,
  outgoingVoters,
  learners,
});

describe('checkMembershipChange', () => {
  it('allows a change when a majority of the current and of the target voters is reachable', () => {
    expect(checkMembershipChange(config(['a', 'b', 'c']), config(['a', 'b']), ['a', 'b'])).toBeUndefined();
    expect(
      checkMembershipChange(config(['a', 'b', 'c']), config(['a', 'b', 'c', 'd']), ['a', 'b', 'd']),
    ).toBeUndefined();
  });

  it('refuses to remove the last voter (RAFT_MEMBERSHIP_LAST_VOTER), naming it', () => {
    const refusal = checkMembershipChange(config(['a']), config([]), ['a']);
    expect(refusal).toMatchObject({ code: 'RAFT_MEMBERSHIP_LAST_VOTER', id: 'a' });
    expect(checkMembershipChange(config(['a', 'b']), config([], ['a']), ['a', 'b'])).toMatchObject({
      code: 'RAFT_MEMBERSHIP_LAST_VOTER',
      id: undefined,
    });
  });

  it('refuses when the target voters have no reachable majority, carrying the voters counted reachable', () => {
    // c is down; removing b would leave {a, c} with only a reachable.
    const refusal = checkMembershipChange(config(['a', 'b', 'c']), config(['a', 'c']), ['a', 'b']);
    expect(refusal).toBeInstanceOf(QuorumAtRiskError);
    expect(refusal).toMatchObject({
      code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK',
      scope: 'target',
      voters: ['a', 'c'],
      reachable: ['a'],
      needed: 2,
    });
  });

  it('refuses when the current voters have no reachable majority (a joint change needs both, thesis §4.3)', () => {
    // Three of five are down: the joint configuration could never commit.
    const refusal = checkMembershipChange(config(['a', 'b', 'c', 'd', 'e']), config(['a', 'b']), ['a', 'b']);
    expect(refusal).toMatchObject({ code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK', scope: 'current', needed: 3 });
  });

  it('while the current configuration is joint, needs a reachable majority of its outgoing half too', () => {
    const joint = config(['a', 'b', 'c'], [], ['a', 'd', 'e']);
    expect(checkMembershipChange(joint, config(['a', 'b', 'c']), ['a', 'b', 'c'])).toMatchObject({
      code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK',
      scope: 'current',
      voters: ['a', 'd', 'e'],
      reachable: ['a'],
    });
    expect(checkMembershipChange(joint, config(['a', 'b', 'c']), ['a', 'b', 'd'])).toBeUndefined();
  });

  it('counts reachable learners that the target makes voters, and ignores unknown reachable ids', () => {
    expect(
      checkMembershipChange(config(['a', 'b', 'c'], ['d']), config(['a', 'b', 'd']), ['a', 'd', 'z']),
    ).toMatchObject({ code: 'RAFT_MEMBERSHIP_QUORUM_AT_RISK', scope: 'current', reachable: ['a'] });
  });

  it('refuses malformed targets (RAFT_MEMBERSHIP_INVALID_TARGET): joint, duplicates, invalid ids', () => {
    const current = config(['a', 'b', 'c']);
    const all = ['a', 'b', 'c'];
    expect(checkMembershipChange(current, config(['a'], [], ['b']), all)?.code).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
    expect(checkMembershipChange(current, config(['a', 'a']), all)?.code).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
    expect(checkMembershipChange(current, config(['a', 'b'], ['b']), all)?.code).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
    expect(checkMembershipChange(current, config(['a', '']), all)?.code).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
    expect(checkMembershipChange(current, config(['a', 'b c']), all)?.code).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
  });

  it('majoritySize is more than half', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majoritySize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });
});

const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const seed = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/** A configuration over IDS: 1 to 7 voters, learners among the rest, maybe an outgoing half. */
const configArbitrary = (allowJoint: boolean): fc.Arbitrary<ClusterConfig> =>
  fc
    .tuple(
      fc.shuffledSubarray(IDS, { minLength: 1 }),
      fc.shuffledSubarray(IDS),
      allowJoint ? fc.shuffledSubarray(IDS) : fc.constant<string[]>([]),
    )
    .map(([voters, maybeLearners, outgoingVoters]) => ({
      voters,
      outgoingVoters,
      learners: maybeLearners.filter((id) => !voters.includes(id) && !outgoingVoters.includes(id)),
    }));

const reachableArbitrary = fc.shuffledSubarray(IDS);

/** Naive reference: the engine's own quorum function says each configuration has a reachable quorum. */
function referenceAllows(
  current: ClusterConfig,
  target: ClusterConfig,
  reachable: readonly NodeId[],
): boolean {
  const up = (id: NodeId) => (reachable.includes(id) ? 1 : 0);
  return target.voters.length > 0 && quorumValue(current, up) === 1 && quorumValue(target, up) === 1;
}

describe('checkMembershipChange, property-based (seed printed for replay)', () => {
  const options = { seed, numRuns: 3_000 };

  it(`agrees with the naive reference built on the engine's quorum arithmetic (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        configArbitrary(true),
        configArbitrary(false),
        reachableArbitrary,
        (current, target, reachable) => {
          const refusal = checkMembershipChange(current, target, reachable);
          expect(refusal === undefined).toBe(referenceAllows(current, target, reachable));
        },
      ),
      options,
    );
  });

  it(`an allowed change keeps a reachable quorum in every configuration the leader passes through (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        configArbitrary(false),
        configArbitrary(false),
        reachableArbitrary,
        (current, target, reachable) => {
          if (checkMembershipChange(current, target, reachable) !== undefined) return;
          const up = (id: NodeId) => (reachable.includes(id) ? 1 : 0);
          // Raft thesis §4.3: C_old, then C_old,new (both majorities), then C_new.
          const joint = { ...target, outgoingVoters: current.voters };
          for (const step of [current, joint, target]) expect(quorumValue(step, up)).toBe(1);
        },
      ),
      options,
    );
  });

  it(`more reachable nodes never turn an allowed change into a refusal (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        configArbitrary(true),
        configArbitrary(false),
        reachableArbitrary,
        reachableArbitrary,
        (current, target, reachable, more) => {
          if (checkMembershipChange(current, target, reachable) !== undefined) return;
          expect(checkMembershipChange(current, target, [...reachable, ...more])).toBeUndefined();
        },
      ),
      options,
    );
  });

  it(`a quorum refusal lists exactly the reachable voters of the failing half, fewer than its majority (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        configArbitrary(true),
        configArbitrary(false),
        reachableArbitrary,
        (current, target, reachable) => {
          const refusal = checkMembershipChange(current, target, reachable);
          if (!(refusal instanceof QuorumAtRiskError)) return;
          expect(refusal.reachable).toEqual(refusal.voters.filter((id) => reachable.includes(id)));
          expect(refusal.needed).toBe(majoritySize(refusal.voters.length));
          expect(refusal.reachable.length).toBeLessThan(refusal.needed);
          const halves =
            refusal.scope === 'target' ? [target.voters] : [current.voters, current.outgoingVoters];
          expect(halves).toContainEqual(refusal.voters);
        },
      ),
      options,
    );
  });
});
