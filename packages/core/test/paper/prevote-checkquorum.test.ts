/**
 * The thesis' defences against disruptive servers: PreVote (§9.6), CheckQuorum (§6.2) and the leader
 * lease on votes (§4.2.3). Engines run with the defaults (PreVote and CheckQuorum on) unless a test
 * says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { EngineCluster } from '../engine-harness.js';
import {
  clusterSent,
  drain,
  electLone,
  fixedRandom,
  heartbeat,
  loneRaft,
  requestVote,
  sentOfType,
  terms,
  ticksUntilCampaign,
  voteResponse,
} from './election-support.js';

const ELECTION_TICKS = 10;
/** Pins the randomized timeout at its maximum (2 * electionTicks - 1), so a lone follower campaigns late. */
const LATE = fixedRandom(0.999_999);

describe('thesis §9.6: PreVote', () => {
  it('a pre-candidate changes neither its term nor its vote', () => {
    // Thesis §9.6: a server first asks whether it could win, and "only if the candidate believed it
    // could get votes from a majority of the cluster would it increment its term".
    const raft = loneRaft();
    ticksUntilCampaign(raft);
    const out = drain(raft);
    expect(raft.status()).toMatchObject({ role: 'pre-candidate', term: 1, vote: '' });
    expect(out.hardState).toBeUndefined();
    expect(sentOfType(out, 'RequestVote')).toEqual([
      expect.objectContaining({ to: 'b', term: 2, preVote: true }),
      expect.objectContaining({ to: 'c', term: 2, preVote: true }),
    ]);
    // Reference: thesis §9.6
  });

  it('winning the pre-vote starts a real election in the next term', () => {
    // Thesis §9.6: after a majority says it would vote, the server runs a normal election.
    const raft = loneRaft();
    raft.campaign();
    drain(raft);
    raft.step(voteResponse('b', 'a', 2, { preVote: true }));
    expect(raft.status()).toMatchObject({ role: 'candidate', term: 2, vote: 'a' });
    const out = drain(raft);
    expect(out.hardState).toEqual({ term: 2, vote: 'a', commit: 1 });
    expect(out.persistedMessages).toEqual([
      expect.objectContaining({ type: 'RequestVote', to: 'b', term: 2, preVote: false }),
      expect.objectContaining({ type: 'RequestVote', to: 'c', term: 2, preVote: false }),
    ]);
    // Reference: thesis §9.6
  });

  it('losing the pre-vote returns to follower in the same term', () => {
    // Thesis §9.6: a refused pre-candidate has not touched its term, so nobody else is disturbed.
    const raft = loneRaft();
    raft.campaign();
    raft.step(voteResponse('b', 'a', 1, { preVote: true, granted: false }));
    raft.step(voteResponse('c', 'a', 1, { preVote: true, granted: false }));
    expect(raft.status()).toMatchObject({ role: 'follower', term: 1, vote: '' });
    // Reference: thesis §9.6
  });

  it("a pre-vote request changes neither the voter's term nor its vote", () => {
    // Thesis §9.6: the pre-vote asks a hypothetical question; answering it must not cost the voter its
    // term or the vote it already cast.
    const raft = loneRaft({ term: 2, vote: 'b' });
    raft.step(requestVote('c', 'a', 5, { preVote: true }));
    const out = drain(raft);
    expect(raft.status()).toMatchObject({ term: 2, vote: 'b', role: 'follower' });
    expect(out.hardState).toBeUndefined();
    // The grant speaks in the pre-candidate's prospective term so it does not look stale there.
    expect(sentOfType(out, 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 5, preVote: true, granted: true }),
    ]);
    // Reference: thesis §9.6
  });

  it.each([
    { lastLogTerm: 1, lastLogIndex: 9, granted: false, why: 'an older last term' },
    { lastLogTerm: 2, lastLogIndex: 2, granted: false, why: 'a shorter log of the same last term' },
    { lastLogTerm: 2, lastLogIndex: 3, granted: true, why: 'an equally up-to-date log' },
  ])('a pre-vote for $why is granted=$granted', ({ lastLogTerm, lastLogIndex, granted }) => {
    // Thesis §9.6: a server grants a pre-vote only "if it believes the candidate's log is up-to-date"
    // (the §5.4.1 comparison).
    const raft = loneRaft({ logTerms: [2, 2], term: 2 });
    raft.step(requestVote('c', 'a', 3, { preVote: true, lastLogTerm, lastLogIndex }));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', preVote: true, granted }),
    ]);
    expect(raft.status()).toMatchObject({ term: 2, vote: '' });
    // Reference: thesis §9.6, Raft §5.4.1
  });

  it('a pre-vote is refused while the voter has heard from a leader within the election timeout', () => {
    // Thesis §9.6: a server grants a pre-vote only if it "has not received heartbeats from a valid
    // leader for at least a baseline election timeout".
    const raft = loneRaft({ term: 2, random: LATE, electionTicks: ELECTION_TICKS });
    raft.step(heartbeat('b', 'a', 2));
    drain(raft);
    raft.step(requestVote('c', 'a', 3, { preVote: true }));
    expect(sentOfType(drain(raft), 'RequestVoteResponse').filter((answer) => answer.granted)).toEqual([]);
    // Once a full election timeout passes in silence, the same request is granted.
    for (let tick = 0; tick < ELECTION_TICKS; tick++) raft.tick();
    expect(raft.status().role).toBe('follower');
    raft.step(requestVote('c', 'a', 3, { preVote: true }));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 3, preVote: true, granted: true }),
    ]);
    // Reference: thesis §9.6
  });

  // ENGINE DEVIATION (reported): with PreVote on and CheckQuorum off, the engine ignores whether the
  // voter has heard from a leader and grants any pre-vote whose log is up to date (raft.ts,
  // handleVoteRequest: `message.preVote && message.term > this.term`; the only leader check is the
  // lease in step(), which needs checkQuorum). etcd-io/raft behaves the same way, but thesis §9.6 makes
  // the heartbeat condition part of PreVote itself. Flip to `it` if the engine adopts the thesis rule.
  it('without CheckQuorum a pre-vote is still refused while the voter hears from a leader', () => {
    // Thesis §9.6: the heartbeat condition is part of PreVote, independent of CheckQuorum.
    const raft = loneRaft({ term: 2, checkQuorum: false, random: LATE });
    raft.step(heartbeat('b', 'a', 2));
    drain(raft);
    raft.step(requestVote('c', 'a', 3, { preVote: true }));
    expect(sentOfType(drain(raft), 'RequestVoteResponse').filter((answer) => answer.granted)).toEqual([]);
    // Reference: thesis §9.6
  });

  it('a partitioned node keeps its term while isolated and does not disrupt the leader on rejoining', () => {
    // Thesis §9.6: "While a server is partitioned, it won't be able to increment its term ... when it
    // rejoins the cluster, it still won't be able to increment its term".
    const cluster = new EngineCluster(['a', 'b', 'c'], { electionTicks: ELECTION_TICKS }, 8);
    cluster.elect('a');
    expect(terms(cluster)).toEqual({ a: 2, b: 2, c: 2 });
    cluster.isolate('c');
    cluster.tick(10 * ELECTION_TICKS);
    expect(cluster.raft('c').status()).toMatchObject({ term: 2, role: 'pre-candidate' });
    cluster.heal();
    cluster.tick(5 * ELECTION_TICKS);
    expect(cluster.leaders()).toEqual(['a']);
    expect(terms(cluster)).toEqual({ a: 2, b: 2, c: 2 });
    expect(cluster.raft('c').status()).toMatchObject({ role: 'follower', leader: 'a' });
    // Reference: thesis §9.6
  });

  /** Thesis §9.6: a node behind a one-way cut from the leader must stay in the leader's term. */
  function oneWayCutFromLeader(checkQuorum: boolean) {
    const cluster = new EngineCluster(['a', 'b', 'c'], { checkQuorum, electionTicks: ELECTION_TICKS }, 8);
    cluster.elect('a');
    cluster.cutLink('a', 'c');
    cluster.tick(4 * ELECTION_TICKS);
    expect(cluster.leaders()).toEqual(['a']);
    expect(terms(cluster)).toEqual({ a: 2, b: 2, c: 2 });
  }

  it('a node that cannot hear the leader does not depose it while a majority can', () => {
    // Thesis §9.6: voters that receive the leader's heartbeats refuse the pre-vote.
    oneWayCutFromLeader(true);
    // Reference: thesis §9.6
  });

  // ENGINE DEVIATION (reported), the cluster-level consequence of the unit test above: b grants c's
  // pre-vote although it hears from a every tick, so c wins term 3 and deposes a healthy leader.
  it('without CheckQuorum, a node that cannot hear the leader still does not depose it', () => {
    // Thesis §9.6: the same rule, with PreVote alone.
    oneWayCutFromLeader(false);
    // Reference: thesis §9.6
  });

  it('without PreVote an isolated node raises its term again and again (the problem PreVote solves)', () => {
    // Thesis §9.6: the disruption that PreVote exists to prevent; this guards that the option matters.
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false, electionTicks: ELECTION_TICKS }, 8);
    cluster.elect('a');
    cluster.isolate('c');
    cluster.tick(10 * ELECTION_TICKS);
    expect(cluster.raft('c').status().term).toBeGreaterThan(3);
    // Reference: thesis §9.6
  });
});

describe('thesis §6.2: CheckQuorum', () => {
  it('a leader that hears from no quorum for an election timeout steps down', () => {
    // Thesis §6.2: "a leader steps down if an election timeout elapses without a successful round of
    // heartbeats to a majority of its cluster".
    const cluster = new EngineCluster(['a', 'b', 'c'], { electionTicks: ELECTION_TICKS }, 9);
    cluster.elect('a');
    cluster.isolate('a');
    cluster.tick(ELECTION_TICKS - 1);
    expect(cluster.raft('a').status().role).toBe('leader'); // not before a full timeout
    cluster.tick(ELECTION_TICKS + 1);
    // It steps down within two timeouts (one window may have started before the partition), keeping
    // its term: stepping down alone must not disturb anyone.
    expect(cluster.raft('a').status()).toMatchObject({ role: 'follower', term: 2, leader: '' });
    // Reference: thesis §6.2
  });

  it('a leader that hears from a quorum stays leader', () => {
    // Thesis §6.2: only a leader cut off from a majority steps down; one lost follower is not enough.
    const cluster = new EngineCluster(['a', 'b', 'c'], { electionTicks: ELECTION_TICKS }, 9);
    cluster.elect('a');
    cluster.isolate('c');
    cluster.tick(10 * ELECTION_TICKS);
    expect(cluster.raft('a').status()).toMatchObject({ role: 'leader', term: 2 });
    expect(cluster.leaders()).toEqual(['a']);
    // Reference: thesis §6.2
  });

  it('without CheckQuorum an isolated leader keeps its role', () => {
    // Thesis §6.2 makes stepping down an option; off, nothing ends a cut-off leader's term but a
    // higher term.
    const raft = loneRaft({ checkQuorum: false });
    electLone(raft);
    for (let tick = 0; tick < 10 * ELECTION_TICKS; tick++) raft.tick();
    expect(raft.status()).toMatchObject({ role: 'leader', term: 2 });
    // Reference: thesis §6.2
  });
});

describe('thesis §4.2.3: leader lease on votes', () => {
  /** A follower of leader b at term 2 that heard from it just now and will not campaign soon. */
  function followerOfB(options: { checkQuorum?: boolean } = {}) {
    const raft = loneRaft({ term: 2, random: LATE, electionTicks: ELECTION_TICKS, ...options });
    raft.step(heartbeat('b', 'a', 2));
    drain(raft);
    return raft;
  }

  it('a follower that heard from the leader recently ignores a higher-term RequestVote', () => {
    // Thesis §4.2.3: "if a server receives a RequestVote request within the minimum election timeout
    // of hearing from a current leader, it does not update its term or grant its vote".
    const raft = followerOfB();
    raft.step(requestVote('c', 'a', 3, { lastLogIndex: 5, lastLogTerm: 2 }));
    const out = drain(raft);
    expect(raft.status()).toMatchObject({ role: 'follower', term: 2, vote: '', leader: 'b' });
    expect(out.hardState).toBeUndefined();
    expect(sentOfType(out, 'RequestVoteResponse')).toEqual([]);
    // Reference: thesis §4.2.3
  });

  it('the lease ends an election timeout after the leader was last heard', () => {
    // Thesis §4.2.3: the lease lasts the minimum election timeout, no longer.
    const raft = followerOfB();
    for (let tick = 0; tick < ELECTION_TICKS; tick++) raft.tick();
    raft.step(requestVote('c', 'a', 3, { lastLogIndex: 5, lastLogTerm: 2 }));
    expect(raft.status()).toMatchObject({ term: 3, vote: 'c' });
    // Reference: thesis §4.2.3
  });

  it('a RequestVote flagged as a leadership transfer bypasses the lease', () => {
    // Thesis §4.2.3 and §3.10: a candidate started by the leader's TimeoutNow must be heard even though
    // the voters just heard from that leader.
    const raft = followerOfB();
    raft.step(requestVote('c', 'a', 3, { lastLogIndex: 5, lastLogTerm: 2, transfer: true }));
    expect(raft.status()).toMatchObject({ role: 'follower', term: 3, vote: 'c', leader: '' });
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 3, granted: true }),
    ]);
    // Reference: thesis §4.2.3, §3.10
  });

  it('without CheckQuorum the lease check is off', () => {
    // The lease is only sound together with CheckQuorum (thesis §6.2 keeps a leader honest about its
    // lease); with it off, a higher-term vote request is handled normally (Raft §5.1).
    const raft = followerOfB({ checkQuorum: false });
    raft.step(requestVote('c', 'a', 3, { lastLogIndex: 5, lastLogTerm: 2 }));
    expect(raft.status()).toMatchObject({ term: 3, vote: 'c' });
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 3, granted: true }),
    ]);
    // Reference: thesis §4.2.3
  });

  it('a leader inside its lease ignores a higher-term RequestVote', () => {
    // Thesis §4.2.3: the leader too has heard from itself; a disruptive candidate must not depose it.
    const raft = loneRaft({ electionTicks: ELECTION_TICKS });
    electLone(raft);
    drain(raft);
    raft.step(requestVote('c', 'a', 9, { lastLogIndex: 5, lastLogTerm: 2 }));
    expect(raft.status()).toMatchObject({ role: 'leader', term: 2 });
    // Reference: thesis §4.2.3
  });

  it('a leader elected through a transfer vote takes over without waiting for the lease', () => {
    // Thesis §3.10 with §4.2.3: transfer campaigns cut through the lease and finish promptly.
    const cluster = new EngineCluster(['a', 'b', 'c'], { electionTicks: ELECTION_TICKS }, 10);
    cluster.elect('a');
    cluster.raft('a').transferLeadership('b');
    cluster.deliver();
    expect(cluster.leaders()).toEqual(['b']);
    expect(terms(cluster)).toEqual({ a: 3, b: 3, c: 3 });
    // c had just heard from a, yet answered b's transfer campaign and granted its vote.
    const cAnswers = clusterSent(cluster, 'c', 'RequestVoteResponse')
      .map((record) => record.message)
      .filter((message) => message.to === 'b');
    expect(cAnswers).toEqual([expect.objectContaining({ to: 'b', term: 3, preVote: false, granted: true })]);
    // Reference: thesis §4.2.3, §3.10
  });
});
