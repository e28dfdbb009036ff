/**
 * Leader election as the Raft paper states it (§5.1 terms and roles, §5.2 leader election). PreVote is
 * switched off where a test is about the plain election, so the term moves exactly as §5.2 says.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/engine/types.js';
import { EngineCluster, seededRandom } from '../engine-harness.js';
import {
  appendEntries,
  appendResponse,
  clusterSent,
  drain,
  electLone,
  fixedRandom,
  heartbeat,
  loneRaft,
  sentOfType,
  ticksUntilCampaign,
  tickUntil,
  voteResponse,
} from './election-support.js';

const ELECTION_TICKS = 10;

describe('Raft §5.2: election timeout', () => {
  it('a follower that hears nothing for its election timeout starts an election', () => {
    // Raft §5.2: "If a follower receives no communication over a period of time called the election
    // timeout, then it assumes there is no viable leader and begins an election."
    const raft = loneRaft({ preVote: false, electionTicks: ELECTION_TICKS });
    for (let tick = 0; tick < 2 * ELECTION_TICKS - 1; tick++) raft.tick();
    expect(raft.status()).toMatchObject({ role: 'candidate', term: 2 });
    // Reference: Raft §5.2
  });

  it('a follower that keeps hearing from its leader never starts an election', () => {
    // Raft §5.2: "A server remains in follower state as long as it receives valid RPCs from a leader."
    const raft = loneRaft({ preVote: false, electionTicks: ELECTION_TICKS });
    for (let tick = 0; tick < 10 * ELECTION_TICKS; tick++) {
      raft.tick();
      raft.step(heartbeat('b', 'a', 1));
      drain(raft);
    }
    expect(raft.status()).toMatchObject({ role: 'follower', term: 1, leader: 'b' });
    // Reference: Raft §5.2
  });

  it('the randomized election timeout lies in [electionTicks, 2 * electionTicks)', () => {
    // Raft §5.2: "election timeouts are chosen randomly from a fixed interval".
    expect(ticksUntilCampaign(loneRaft({ electionTicks: ELECTION_TICKS, random: fixedRandom(0) }))).toBe(
      ELECTION_TICKS,
    );
    expect(
      ticksUntilCampaign(loneRaft({ electionTicks: ELECTION_TICKS, random: fixedRandom(0.999_999) })),
    ).toBe(2 * ELECTION_TICKS - 1);
    for (let seed = 1; seed <= 50; seed++) {
      const ticks = ticksUntilCampaign(
        loneRaft({ electionTicks: ELECTION_TICKS, random: seededRandom(seed) }),
      );
      expect(ticks, `seed ${seed}`).toBeGreaterThanOrEqual(ELECTION_TICKS);
      expect(ticks, `seed ${seed}`).toBeLessThan(2 * ELECTION_TICKS);
    }
    // Reference: Raft §5.2
  });

  it('the randomized election timeout differs across seeds and is redrawn for each election', () => {
    // Raft §5.2: randomized timeouts spread out the servers so that in most cases only one times out.
    const firstTimeouts = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      firstTimeouts.add(ticksUntilCampaign(loneRaft({ random: seededRandom(seed), preVote: false })));
    }
    expect(firstTimeouts.size).toBeGreaterThan(1);
    // One node, successive elections: the timeout is drawn again each time, not fixed at start.
    const raft = loneRaft({ random: seededRandom(7), preVote: false });
    const successive = new Set<number>();
    for (let election = 0; election < 20; election++) {
      let ticks = 0;
      const term = raft.status().term;
      while (raft.status().term === term) {
        raft.tick();
        ticks++;
      }
      successive.add(ticks);
    }
    expect(successive.size).toBeGreaterThan(1);
    // Reference: Raft §5.2
  });
});

describe('Raft §5.2: candidates', () => {
  it('a candidate increments its term and votes for itself', () => {
    // Raft §5.2: "To begin an election, a follower increments its current term and transitions to
    // candidate state. It then votes for itself".
    const raft = loneRaft({ preVote: false });
    raft.campaign();
    expect(raft.status()).toMatchObject({ role: 'candidate', term: 2, vote: 'a', leader: '' });
    expect(drain(raft).hardState).toEqual({ term: 2, vote: 'a', commit: 1 });
    // Reference: Raft §5.2
  });

  it('a candidate persists its term and self-vote before any RequestVote leaves', () => {
    // Raft Figure 2: currentTerm and votedFor are updated on stable storage before responding to RPCs;
    // a RequestVote that raced ahead of the write could outlive a crash that forgets the self-vote.
    const raft = loneRaft({ preVote: false });
    raft.campaign();
    const [ready] = drain(raft).batches;
    expect(ready?.hardState).toEqual({ term: 2, vote: 'a', commit: 1 });
    expect(ready?.messages.filter((message) => message.type === 'RequestVote')).toEqual([]);
    expect(ready?.persistedMessages).toEqual([
      expect.objectContaining({ type: 'RequestVote', to: 'b', term: 2, preVote: false }),
      expect.objectContaining({ type: 'RequestVote', to: 'c', term: 2, preVote: false }),
    ]);
    // The same holds across a whole cluster run: every real RequestVote waited for the write.
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false }, 3);
    tickUntil(cluster, () => cluster.leaders().length === 1);
    const requests = cluster.ids.flatMap((id) => clusterSent(cluster, id, 'RequestVote'));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((record) => record.afterPersist)).toBe(true);
    // Reference: Raft §5.2, Figure 2
  });

  it('a candidate that wins votes from a majority becomes leader and appends a no-op of its term', () => {
    // Raft §5.2: "A candidate wins an election if it receives votes from a majority of the servers in
    // the full cluster for the same term"; §8: each leader commits a blank no-op entry at the start
    // of its term.
    const raft = loneRaft({ preVote: false, voters: ['a', 'b', 'c', 'd', 'e'] });
    raft.campaign();
    raft.step(voteResponse('b', 'a', 2));
    expect(raft.status().role).toBe('candidate'); // 2 of 5 is not a majority
    raft.step(voteResponse('c', 'a', 2, { granted: false }));
    expect(raft.status().role).toBe('candidate');
    raft.step(voteResponse('d', 'a', 2));
    expect(raft.status()).toMatchObject({ role: 'leader', term: 2, leader: 'a' });
    const noop = raft.inspect().entries.at(-1);
    expect(noop).toMatchObject({ index: 2, term: 2, type: 'normal' });
    expect(noop?.data.byteLength).toBe(0);
    const appends = sentOfType(drain(raft), 'AppendEntries');
    expect(appends.map((message) => message.to).sort()).toEqual(['b', 'c', 'd', 'e']);
    for (const append of appends) expect(append.entries.map((entry) => entry.index)).toEqual([2]);
    // Reference: Raft §5.2, §8
  });

  it('a candidate that loses votes from a majority returns to follower without waiting', () => {
    // Raft §5.2: a candidate continues until it wins, another server wins, or a period goes by with no
    // winner; once a majority has refused, it cannot win this term.
    const raft = loneRaft({ preVote: false });
    raft.campaign();
    raft.step(voteResponse('b', 'a', 2, { granted: false }));
    raft.step(voteResponse('c', 'a', 2, { granted: false }));
    expect(raft.status()).toMatchObject({ role: 'follower', term: 2, vote: 'a' });
    // Reference: Raft §5.2
  });

  it.each(['AppendEntries', 'Heartbeat'] as const)(
    'a candidate that receives %s of its own term from another leader becomes follower',
    (type) => {
      // Raft §5.2: "If the leader's term (included in its RPC) is at least as large as the candidate's
      // current term, then the candidate recognizes the leader as legitimate and returns to follower".
      const raft = loneRaft({ preVote: false });
      raft.campaign();
      drain(raft);
      raft.step(type === 'AppendEntries' ? appendEntries('b', 'a', 2) : heartbeat('b', 'a', 2));
      expect(raft.status()).toMatchObject({ role: 'follower', term: 2, leader: 'b', vote: 'a' });
      // Reference: Raft §5.2
    },
  );

  it('a candidate rejects AppendEntries of an older term and stays candidate', () => {
    // Raft §5.2: "If the term in the RPC is smaller than the candidate's current term, then the
    // candidate rejects the RPC and continues in candidate state."
    const raft = loneRaft({ preVote: false });
    raft.campaign();
    drain(raft);
    raft.step(appendEntries('b', 'a', 1));
    expect(raft.status()).toMatchObject({ role: 'candidate', term: 2 });
    expect(sentOfType(drain(raft), 'AppendEntriesResponse')).toEqual([
      expect.objectContaining({ to: 'b', term: 2, success: false }),
    ]);
    // Reference: Raft §5.2
  });

  it('a split vote ends in a new election with a higher term', () => {
    // Raft §5.2: "each candidate will time out and start a new election by incrementing its term".
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false }, 5);
    cluster.isolate('c');
    cluster.raft('a').campaign();
    cluster.raft('b').campaign();
    cluster.deliver();
    // Each voted for itself and refused the other: one vote each, c unreachable, nobody wins term 2.
    expect(cluster.raft('a').status()).toMatchObject({ role: 'candidate', term: 2, vote: 'a' });
    expect(cluster.raft('b').status()).toMatchObject({ role: 'candidate', term: 2, vote: 'b' });
    tickUntil(
      cluster,
      () => ['a', 'b'].some((id) => cluster.raft(id).status().term === 3),
      2 * ELECTION_TICKS,
    );
    cluster.heal();
    tickUntil(cluster, () => cluster.leaders().length === 1);
    const leader = cluster.leaders()[0]!;
    expect(cluster.raft(leader).status().term).toBeGreaterThanOrEqual(3);
    // Reference: Raft §5.2
  });

  it('a candidate that hears no result campaigns again in a higher term after its timeout', () => {
    // Raft §5.2: the third outcome, "a period of time goes by with no winner".
    const raft = loneRaft({ preVote: false, electionTicks: ELECTION_TICKS });
    raft.campaign();
    drain(raft);
    for (let tick = 0; tick < 2 * ELECTION_TICKS - 1; tick++) raft.tick();
    expect(raft.status()).toMatchObject({ role: 'candidate', term: 3, vote: 'a' });
    expect(sentOfType(drain(raft), 'RequestVote').map((message) => message.term)).toEqual([3, 3]);
    // Reference: Raft §5.2
  });
});

describe('Raft §5.1: terms', () => {
  /** Put a lone engine into `role` at term 2. */
  function inRole(role: Role) {
    const raft = loneRaft({ preVote: role === 'pre-candidate' });
    if (role === 'leader') electLone(raft);
    else if (role === 'candidate' || role === 'pre-candidate') raft.campaign();
    else raft.step(heartbeat('b', 'a', 2));
    drain(raft);
    expect(raft.status().role).toBe(role);
    return raft;
  }

  it.each(['follower', 'pre-candidate', 'candidate', 'leader'] as const)(
    'a %s that sees a higher term adopts it and becomes follower',
    (role) => {
      // Raft §5.1: "If a candidate or leader discovers that its term is out of date, it immediately
      // reverts to follower state"; every server updates its current term to the larger value.
      const raft = inRole(role);
      raft.step(appendResponse('c', 'a', 5));
      expect(raft.status()).toMatchObject({ role: 'follower', term: 5, vote: '', leader: '' });
      expect(drain(raft).hardState).toMatchObject({ term: 5, vote: '' });
      // Reference: Raft §5.1
    },
  );

  it.each(['follower', 'candidate', 'leader'] as const)(
    'a %s that hears a leader of a higher term follows that leader',
    (role) => {
      // Raft §5.1: a server with a smaller term updates it; §5.2: a leader with a term at least as large
      // is legitimate.
      const raft = inRole(role);
      raft.step(heartbeat('c', 'a', 5));
      expect(raft.status()).toMatchObject({ role: 'follower', term: 5, leader: 'c' });
      // Reference: Raft §5.1
    },
  );

  it('a stale-term AppendEntries is rejected with the current term and changes nothing', () => {
    // Raft §5.1: "If a server receives a request with a stale term number, it rejects the request";
    // Figure 2: reply false if term < currentTerm, and the reply carries currentTerm so the sender
    // learns it is stale.
    const raft = loneRaft({ term: 3 });
    const entry = { index: 2, term: 2, type: 'normal' as const, data: new Uint8Array([1]) };
    raft.step(appendEntries('b', 'a', 2, { entries: [entry], leaderCommit: 2 }));
    const out = drain(raft);
    expect(sentOfType(out, 'AppendEntriesResponse')).toEqual([
      expect.objectContaining({ from: 'a', to: 'b', term: 3, success: false }),
    ]);
    expect(out.entries).toEqual([]);
    expect(raft.status()).toMatchObject({
      role: 'follower',
      term: 3,
      leader: '',
      lastIndex: 1,
      commitIndex: 1,
    });
    // Reference: Raft §5.1
  });
});

describe('Raft §5.2: cluster elections', () => {
  it('a single-node cluster elects itself and commits on its own', () => {
    // Raft §5.2: a majority of a one-server cluster is that server.
    const cluster = new EngineCluster(['a']);
    tickUntil(cluster, () => cluster.leaders().length === 1, 2 * ELECTION_TICKS);
    expect(cluster.raft('a').status()).toMatchObject({ role: 'leader', term: 2, commitIndex: 2 });
    cluster.propose('a', 'x');
    expect(cluster.raft('a').status().commitIndex).toBe(3);
    expect(cluster.appliedText('a')).toEqual(['x']);
    // Reference: Raft §5.2
  });

  it('a three-node cluster elects exactly one leader and every node learns it', () => {
    // Raft §5.2 Election Safety: at most one leader per term.
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 11);
    tickUntil(cluster, () => cluster.leaders().length === 1);
    const leader = cluster.leaders()[0]!;
    const { term } = cluster.raft(leader).status();
    for (const id of cluster.ids) expect(cluster.raft(id).status()).toMatchObject({ leader, term });
    // Reference: Raft §5.2
  });
});
