/**
 * How a server casts its vote: once per term (Raft §5.2), only for a log at least as up to date as its
 * own (§5.4.1), only after the vote is durable (Figure 2), and never as a learner candidate.
 */
import { describe, expect, it } from 'vitest';
import { EngineCluster } from '../engine-harness.js';
import { clusterSent, drain, loneRaft, requestVote, sentOfType, tickUntil } from './election-support.js';

describe('Raft §5.2: one vote per term', () => {
  it('a node grants at most one vote per term, first come first served', () => {
    // Raft §5.2: "Each server will vote for at most one candidate in a given term, on a
    // first-come-first-served basis".
    const raft = loneRaft({ preVote: false });
    raft.step(requestVote('b', 'a', 2));
    raft.step(requestVote('c', 'a', 2));
    const out = drain(raft);
    expect(sentOfType(out, 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'b', term: 2, granted: true }),
      expect.objectContaining({ to: 'c', term: 2, granted: false }),
    ]);
    expect(raft.status()).toMatchObject({ term: 2, vote: 'b' });
    // Reference: Raft §5.2
  });

  it('a node grants its vote again to the candidate it already voted for in this term', () => {
    // Raft Figure 2: grant if votedFor is null or candidateId, so a retransmitted request (the first
    // answer may have been lost) is answered the same way.
    const raft = loneRaft({ preVote: false });
    raft.step(requestVote('b', 'a', 2));
    drain(raft);
    raft.step(requestVote('b', 'a', 2));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'b', term: 2, granted: true }),
    ]);
    // Reference: Raft §5.2, Figure 2
  });

  it('a vote cast in a term survives a restart and still binds the node', () => {
    // Raft Figure 2: votedFor is persistent state, so a restarted server cannot vote twice in a term.
    const raft = loneRaft({ preVote: false, term: 2, vote: 'b' });
    raft.step(requestVote('c', 'a', 2));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 2, granted: false }),
    ]);
    // Reference: Raft §5.2, Figure 2
  });

  it('a new term frees the vote', () => {
    // Raft §5.1/§5.2: the vote is per term; adopting a higher term clears votedFor.
    const raft = loneRaft({ preVote: false, term: 2, vote: 'b' });
    raft.step(requestVote('c', 'a', 3));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', term: 3, granted: true }),
    ]);
    expect(raft.status()).toMatchObject({ term: 3, vote: 'c' });
    // Reference: Raft §5.2
  });

  it('a vote response is sent only after the vote is persisted', () => {
    // Raft Figure 2: "Updated on stable storage before responding to RPCs". The granting Ready carries
    // the new hard state, and the response waits in persistedMessages for that write.
    const raft = loneRaft({ preVote: false });
    raft.step(requestVote('b', 'a', 2));
    const [ready, ...rest] = drain(raft).batches;
    expect(rest).toEqual([]);
    expect(ready?.hardState).toEqual({ term: 2, vote: 'b', commit: 1 });
    expect(ready?.messages).toEqual([]);
    expect(ready?.persistedMessages).toEqual([
      expect.objectContaining({ type: 'RequestVoteResponse', to: 'b', granted: true }),
    ]);
    // Across a cluster run, too: every real vote that was granted left after the write.
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false }, 2);
    tickUntil(cluster, () => cluster.leaders().length === 1);
    const grants = cluster.ids
      .flatMap((id) => clusterSent(cluster, id, 'RequestVoteResponse'))
      .filter((record) => record.message.granted && !record.message.preVote);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((record) => record.afterPersist)).toBe(true);
    // Reference: Raft §5.2, Figure 2
  });

  it('a follower that already knows the leader of this term refuses other candidates of that term', () => {
    // Raft §5.2: Election Safety; a node that accepted a leader for the term cannot help elect a second.
    const raft = loneRaft({ preVote: false, checkQuorum: false, term: 2 });
    raft.step({ type: 'Heartbeat', from: 'b', to: 'a', term: 2, commit: 0, readSeq: 0 });
    drain(raft);
    raft.step(requestVote('c', 'a', 2));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'c', granted: false }),
    ]);
    // Reference: Raft §5.2
  });
});

describe('Raft §5.4.1: election restriction', () => {
  // The voter's log: index 1 term 1 (bootstrap), index 2 term 2, index 3 term 2. Last = (3, term 2).
  const voterLog = { logTerms: [2, 2], term: 2 } as const;

  it.each([
    { lastLogTerm: 1, lastLogIndex: 10, granted: false, why: 'lower last term, even with a longer log' },
    { lastLogTerm: 2, lastLogIndex: 2, granted: false, why: 'same last term but a shorter log' },
    { lastLogTerm: 2, lastLogIndex: 3, granted: true, why: 'same last term and the same length' },
    { lastLogTerm: 2, lastLogIndex: 4, granted: true, why: 'same last term and a longer log' },
    { lastLogTerm: 3, lastLogIndex: 2, granted: true, why: 'higher last term, even with a shorter log' },
  ])('a candidate with $why is granted=$granted', ({ lastLogTerm, lastLogIndex, granted }) => {
    // Raft §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the
    // candidate": the later last term wins; with equal last terms, the longer log wins.
    const raft = loneRaft({ preVote: false, ...voterLog });
    raft.step(requestVote('b', 'a', 3, { lastLogTerm, lastLogIndex }));
    expect(sentOfType(drain(raft), 'RequestVoteResponse')).toEqual([
      expect.objectContaining({ to: 'b', term: 3, granted }),
    ]);
    // A refused vote still adopts the term (§5.1) but records no vote.
    expect(raft.status()).toMatchObject({ term: 3, vote: granted ? 'b' : '' });
    // Reference: Raft §5.4.1
  });

  it('a node with a stale log cannot become leader of a cluster that has moved on', () => {
    // Raft §5.4.1: the restriction guarantees the leader holds every committed entry. The lease is
    // off so that only the log comparison can stop c.
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false, checkQuorum: false }, 4);
    cluster.elect('a');
    cluster.isolate('c');
    cluster.propose('a', 'x');
    expect(cluster.raft('b').status().commitIndex).toBe(3);
    expect(cluster.raft('c').status().lastIndex).toBe(2);
    // c missed the committed 'x'; with a gone, b alone decides and refuses c in every term.
    cluster.heal();
    cluster.isolate('a');
    for (let attempt = 0; attempt < 5; attempt++) {
      cluster.raft('c').campaign();
      cluster.deliver();
      expect(cluster.raft('c').status().role).not.toBe('leader');
    }
    const answers = clusterSent(cluster, 'b', 'RequestVoteResponse').filter(
      (record) => record.message.to === 'c',
    );
    expect(answers.map((record) => record.message.granted)).toEqual([false, false, false, false, false]);
    // Reference: Raft §5.4.1
  });
});

describe('Raft §5.2 with learners: non-voters never campaign', () => {
  it('a learner does not start an election however long it hears nothing', () => {
    // Learners (thesis §4.2.1, non-voting members) hold no vote, so they must not disturb the term.
    const raft = loneRaft({ id: 'd', learners: ['d'], preVote: false });
    for (let tick = 0; tick < 100; tick++) raft.tick();
    raft.campaign();
    const out = drain(raft);
    expect(raft.status()).toMatchObject({ role: 'follower', term: 1, vote: '' });
    expect(sentOfType(out, 'RequestVote')).toEqual([]);
    // Reference: Raft §5.2, thesis §4.2.1
  });

  it('an isolated learner in a running cluster never sends RequestVote', () => {
    // Thesis §4.2.1: learners receive entries but take no part in elections.
    const cluster = new EngineCluster(['a', 'b', 'c'], {}, 6, ['d']);
    tickUntil(cluster, () => cluster.leaders().length === 1);
    cluster.isolate('d');
    cluster.tick(100);
    expect(clusterSent(cluster, 'd', 'RequestVote')).toEqual([]);
    expect(cluster.raft('d').status().role).toBe('follower');
    expect(cluster.leaders()).not.toContain('d');
    // Reference: thesis §4.2.1
  });
});
