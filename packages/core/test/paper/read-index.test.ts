import { describe, expect, it } from 'vitest';
import type { Raft } from '../../src/engine/raft.js';
import { EngineCluster } from '../engine-harness.js';
import {
  appendAck,
  appendEntries,
  type Drained,
  drain,
  heartbeatAck,
  lastReadSeq,
  makeLeader,
  newRaft,
  ofType,
  type TestOptions,
} from './replication-support.js';

const ABC = ['a', 'b', 'c'];

/** Leader `a` of term 2 whose no-op (index 2) is committed, with b and c replicating. */
function establishedLeader(options: TestOptions = {}): Raft {
  const leader = makeLeader('a', ABC, undefined, options);
  leader.step(appendAck('b', 'a', 2, 2));
  leader.step(appendAck('c', 'a', 2, 2));
  drain(leader);
  expect(leader.status().commitIndex).toBe(2);
  return leader;
}

/**
 * The first heartbeat round `leader` sends from now on: at once, or, while the round of this tick is
 * still unacknowledged (one confirmation round at a time), with the next tick.
 */
function roundAfterRead(leader: Raft, sinceRead: Drained): number {
  const now = lastReadSeq(sinceRead.messages, 'b');
  if (now > 0) return now;
  leader.tick();
  return lastReadSeq(drain(leader).messages, 'b');
}

describe('thesis §6.4 ReadIndex on the leader', () => {
  it('a read is served only after a quorum acknowledges a heartbeat round sent after it arrived', () => {
    // Thesis §6.4 steps 2-3: record the commit index as the read index, then "send a new round of
    // heartbeats and wait for their acknowledgments from a majority"; an older round proves nothing about
    // the time the read arrived.
    const leader = establishedLeader();
    leader.tick();
    const oldRound = lastReadSeq(drain(leader).messages, 'b');
    expect(oldRound).toBeGreaterThan(0);

    leader.readIndex(7);
    leader.step(heartbeatAck('b', 'a', 2, oldRound));
    leader.step(heartbeatAck('c', 'a', 2, oldRound));
    const out = drain(leader);
    expect(out.readStates).toEqual([]);

    const round = lastReadSeq(out.messages, 'b'); // the round the read waits for goes out with this Ready
    expect(round).toBeGreaterThan(oldRound);
    leader.step(heartbeatAck('b', 'a', 2, round));
    expect(drain(leader).readStates).toEqual([{ requestId: 7, index: 2 }]);
  });

  it('a new leader delays reads until it has committed an entry of its own term', () => {
    // Thesis §6.4 step 1: a new leader does not know the latest commit index until it commits its no-op.
    const leader = makeLeader('a', ABC);
    leader.readIndex(1);
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    leader.step(heartbeatAck('c', 'a', 2, round));
    expect(drain(leader).readStates).toEqual([]); // leadership confirmed, commit index not yet known

    leader.step(appendAck('b', 'a', 2, 2)); // the no-op commits
    const next = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, next));
    expect(drain(leader).readStates).toEqual([{ requestId: 1, index: 2 }]);
  });

  it('a leader stepping down fails the reads it holds, local and forwarded', () => {
    // Thesis §6.4: only a leader may answer; pending reads must fail so clients retry elsewhere.
    const leader = establishedLeader();
    leader.readIndex(4);
    leader.step({ type: 'ReadIndex', from: 'c', to: 'a', term: 2, requestId: 8 });
    drain(leader);

    leader.step(appendEntries({ from: 'b', to: 'a', term: 3, prevLogIndex: 2, prevLogTerm: 2, entries: [] }));
    const out = drain(leader);
    expect(out.readStates).toEqual([]);
    expect(out.readFailures).toMatchObject([{ requestId: 4, reason: 'not-leader' }]);
    expect(ofType(out.messages, 'ReadIndexResponse')).toMatchObject([{ to: 'c', requestId: 8, index: 0 }]);
  });

  // Regression: reads failed by a step-down once named the deposed leader itself as the hint.
  it('a read failed by a step-down names the new leader, never the deposed one, as the hint', () => {
    const leader = establishedLeader();
    leader.readIndex(4);
    drain(leader);
    leader.step(appendEntries({ from: 'b', to: 'a', term: 3, prevLogIndex: 2, prevLogTerm: 2, entries: [] }));
    expect(drain(leader).readFailures).toEqual([{ requestId: 4, reason: 'not-leader', leaderHint: 'b' }]);
  });
});

describe('thesis §6.4 reads on followers', () => {
  it("a follower's read goes to the leader and yields a read state at the leader's commit index", () => {
    // Thesis §6.4: "the follower could issue a request to the leader just to learn the current readIndex".
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.propose('a', 'x');
    const commit = cluster.raft('a').status().commitIndex;
    expect(commit).toBe(3);

    cluster.raft('b').readIndex(5);
    cluster.deliver();
    const asked = cluster.node('b').sent.filter(({ message }) => message.type === 'ReadIndex');
    expect(asked.map(({ message }) => message.to)).toEqual(['a']);
    expect(cluster.node('b').readStates).toEqual([{ requestId: 5, index: commit }]);
  });

  it('a follower that knows no leader fails a read at once', () => {
    const follower = newRaft('b', ABC);
    follower.readIndex(3);
    const out = drain(follower);
    expect(out.readFailures).toEqual([{ requestId: 3, reason: 'not-leader', leaderHint: '' }]);
    expect(out.messages).toEqual([]);
  });
});

describe('thesis §6.4 a deposed leader never serves a read', () => {
  it('an isolated leader fails its reads when CheckQuorum deposes it, and never yields a read state', () => {
    // Thesis §6.4: a leader cut off from the majority may already be deposed; its heartbeat round cannot
    // be acknowledged, so the read must not be served.
    const cluster = new EngineCluster(ABC, {}, 5);
    cluster.elect('a');
    cluster.isolate('a');
    cluster.raft('a').readIndex(9);
    for (let tick = 0; tick < 40; tick++) {
      cluster.tick();
      expect(cluster.node('a').readStates).toEqual([]);
    }
    expect(cluster.leaders().filter((id) => id !== 'a')).toHaveLength(1);
    expect(cluster.raft('a').status().role).not.toBe('leader');
    expect(cluster.node('a').readFailures).toMatchObject([{ requestId: 9, reason: 'not-leader' }]);
  });

  it('without CheckQuorum an isolated leader keeps the read pending rather than serve it', () => {
    const cluster = new EngineCluster(ABC, { checkQuorum: false }, 5);
    cluster.elect('a');
    cluster.isolate('a');
    cluster.raft('a').readIndex(9);
    cluster.tick(40);
    expect(cluster.leaders().filter((id) => id !== 'a')).toHaveLength(1); // a was deposed meanwhile
    expect(cluster.node('a').readStates).toEqual([]);
  });
});

describe('thesis §6.4.1 lease reads', () => {
  it('with leaseRead a read is served without a heartbeat round while the lease holds', () => {
    // Thesis §6.4.1: a quorum acknowledged a heartbeat less than an election timeout ago, so no other
    // leader can exist yet (bounded clock drift assumed).
    const leader = establishedLeader({ leaseRead: true });
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    drain(leader);

    leader.readIndex(2);
    const out = drain(leader);
    expect(out.readStates).toEqual([{ requestId: 2, index: 2 }]);
    expect(ofType(out.messages, 'Heartbeat')).toEqual([]);
  });

  it('once the lease has expired a read falls back to a heartbeat round', () => {
    const electionTicks = 10;
    const leader = establishedLeader({ leaseRead: true, electionTicks });
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    // An election timeout passes without further acknowledgements (b counts as active for CheckQuorum).
    for (let tick = 1; tick < electionTicks; tick++) leader.tick();
    const sentSoFar = drain(leader);
    expect(leader.status().role).toBe('leader');

    leader.readIndex(3);
    const out = drain(leader);
    expect(out.readStates).toEqual([]);
    const next = roundAfterRead(leader, out);
    expect(next).toBeGreaterThan(lastReadSeq(sentSoFar.messages, 'b'));
    leader.step(heartbeatAck('c', 'a', 2, next));
    expect(drain(leader).readStates).toEqual([{ requestId: 3, index: 2 }]);
  });

  it('a read that asks for the lease is served without a heartbeat round, though leaseRead is off', () => {
    // Per-call lease (RaftNode.read({ lease: true })): the same rule as leaseRead, for one read.
    const leader = establishedLeader();
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    drain(leader);

    leader.readIndex(2, true);
    const out = drain(leader);
    expect(out.readStates).toEqual([{ requestId: 2, index: 2 }]);
    expect(ofType(out.messages, 'Heartbeat')).toEqual([]);
    leader.readIndex(3); // an ordinary read on the same leader still takes a round
    expect(drain(leader).readStates).toEqual([]);
  });

  it('a lease read without CheckQuorum takes a heartbeat round: no follower promised not to vote', () => {
    const leader = establishedLeader({ checkQuorum: false });
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    drain(leader);

    leader.readIndex(2, true);
    expect(drain(leader).readStates).toEqual([]);
  });

  it('a lease read whose lease has expired falls back to a heartbeat round', () => {
    const electionTicks = 10;
    const leader = establishedLeader({ electionTicks });
    leader.tick();
    const round = lastReadSeq(drain(leader).messages, 'b');
    leader.step(heartbeatAck('b', 'a', 2, round));
    for (let tick = 1; tick < electionTicks; tick++) leader.tick();
    drain(leader);

    leader.readIndex(3, true);
    const out = drain(leader);
    expect(out.readStates).toEqual([]);
    leader.step(heartbeatAck('c', 'a', 2, roundAfterRead(leader, out)));
    expect(drain(leader).readStates).toEqual([{ requestId: 3, index: 2 }]);
  });

  // Thesis §3.10 and §6.4.1: TimeoutNow lets the target campaign through the voters' leases, so once a
  // leader has sent it, its own lease proves nothing and lease reads must stop (a stale read here is the
  // bug known as tikv#1593 and raft-rs#234). Regression test for that bug in this engine.
  it('a leader that has sent TimeoutNow no longer serves reads from its lease', () => {
    const cluster = new EngineCluster(ABC, { leaseRead: true });
    cluster.elect('a');
    cluster.tick(); // a quorum acknowledges a heartbeat round: a holds a lease
    cluster.propose('a', 'x');
    cluster.cutLink('b', 'a');
    cluster.cutLink('c', 'a');
    cluster.raft('a').transferLeadership('b');
    cluster.deliver();
    cluster.propose('b', 'y');
    expect(cluster.leaders().sort()).toEqual(['a', 'b']); // a has not heard of term 3 yet
    const newCommit = cluster.raft('b').status().commitIndex;
    expect(newCommit).toBe(5);

    cluster.raft('a').readIndex(1);
    cluster.raft('a').readIndex(2, true);
    cluster.process('a');
    const stale = cluster.node('a').readStates.filter((read) => read.index < newCommit);
    expect(stale).toEqual([]);
  });
});

describe('ReadIndex batching: one confirmation round at a time', () => {
  it('reads that arrive while a round is unacknowledged wait for it, then share the next round', () => {
    const leader = establishedLeader();
    leader.readIndex(1);
    const first = lastReadSeq(drain(leader).messages, 'b');
    expect(first).toBeGreaterThan(0);

    // Round `first` is still out: later reads start no round of their own.
    leader.readIndex(2);
    leader.readIndex(3);
    const meanwhile = drain(leader);
    expect(ofType(meanwhile.messages, 'Heartbeat')).toEqual([]);

    // Its acknowledgement serves read 1 only (2 and 3 arrived after it was sent) and starts their round.
    leader.step(heartbeatAck('b', 'a', 2, first));
    const afterFirst = drain(leader);
    expect(afterFirst.readStates).toEqual([{ requestId: 1, index: 2 }]);
    const second = lastReadSeq(afterFirst.messages, 'b');
    expect(second).toBeGreaterThan(first);
    leader.step(heartbeatAck('c', 'a', 2, second));
    expect(drain(leader).readStates).toEqual([
      { requestId: 2, index: 2 },
      { requestId: 3, index: 2 },
    ]);
  });

  it('a round still unacknowledged at the next tick no longer holds reads back', () => {
    const leader = establishedLeader({ heartbeatTicks: 5 });
    leader.readIndex(1);
    const lost = lastReadSeq(drain(leader).messages, 'b');
    leader.readIndex(2);
    expect(ofType(drain(leader).messages, 'Heartbeat')).toEqual([]);
    leader.tick(); // no periodic heartbeat is due yet; the read's own round goes out
    const next = lastReadSeq(drain(leader).messages, 'b');
    expect(next).toBeGreaterThan(lost);
    leader.step(heartbeatAck('b', 'a', 2, next));
    expect(drain(leader).readStates).toEqual([
      { requestId: 1, index: 2 },
      { requestId: 2, index: 2 },
    ]);
  });
});
