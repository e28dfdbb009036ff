import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/engine/messages.js';
import { RaftInvariantError, RaftLog } from '../../src/engine/raft-log.js';
import { EngineCluster } from '../engine-harness.js';
import {
  appendAck,
  appendEntries,
  appendReject,
  bytes,
  clusterWithLogs,
  drain,
  entry,
  heartbeat,
  makeLeader,
  newRaft,
  ofType,
  persistedTerms,
  termsOf,
} from './replication-support.js';

const FIVE = ['s1', 's2', 's3', 's4', 's5'];

describe('Raft §5.4.2 committing entries from previous terms (Figure 8)', () => {
  it('a leader does not commit an old-term entry by counting replicas, only with an entry of its term', () => {
    // Raft §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log
    // entries from the leader's current term are committed by counting replicas."
    // Figure 8 (c): S1 leads in term 4 and index 2 (term 2) is stored on S1, S2 and S3, a majority.
    const s1 = makeLeader('s1', FIVE, { terms: [1, 2], term: 3 });
    expect(s1.status().term).toBe(4);
    s1.step(appendAck('s2', 's1', 4, 2));
    s1.step(appendAck('s3', 's1', 4, 2));
    expect(drain(s1).committedEntries).toEqual([]);
    expect(s1.status().commitIndex).toBe(1);

    // Index 3 (the term-4 no-op) on S1 and S2 only: still no majority for an entry of term 4.
    s1.step(appendAck('s2', 's1', 4, 3));
    expect(s1.status().commitIndex).toBe(1);

    // Figure 8 (e): once the term-4 entry is on a majority, it commits, and index 2 with it.
    s1.step(appendAck('s3', 's1', 4, 3));
    expect(drain(s1).committedEntries.map((e) => [e.index, e.term])).toEqual([
      [2, 2],
      [3, 4],
    ]);
  });

  it('why: an old-term entry stored on a majority can still be overwritten (Figure 8 d)', () => {
    // Raft §5.4.2, Figure 8 (d): S1 crashes before its term-4 entry spreads; S5 (last term 3) wins with
    // votes from S2, S3, S4 and replaces index 2 everywhere, so counting replicas of it would be unsafe.
    const cluster = clusterWithLogs(
      FIVE,
      {
        s1: { terms: [1, 2, 4], term: 4 },
        s2: { terms: [1, 2], term: 4 },
        s3: { terms: [1, 2], term: 4 },
        s4: { terms: [1], term: 4 },
        s5: { terms: [1, 3], term: 4 },
      },
      { preVote: false },
    );
    cluster.isolate('s1');
    cluster.elect('s5');
    expect(cluster.leaders()).toEqual(['s5']);
    for (const id of ['s2', 's3', 's4', 's5']) expect(persistedTerms(cluster, id), id).toEqual([1, 3, 5]);
  });

  it('once an entry of the current term is on a majority, a node without it cannot win (Figure 8 e)', () => {
    // Raft §5.4.2, Figure 8 (e): S1's term-4 entry on S1, S2, S3 makes S5's log less up to date than a
    // majority's, so S5 cannot be elected and index 2 is safe.
    const cluster = clusterWithLogs(
      FIVE,
      {
        s1: { terms: [1, 2, 4], term: 4 },
        s2: { terms: [1, 2, 4], term: 4 },
        s3: { terms: [1, 2, 4], term: 4 },
        s4: { terms: [1], term: 4 },
        s5: { terms: [1, 3], term: 4 },
      },
      { preVote: false },
    );
    cluster.isolate('s1');
    cluster.elect('s5');
    expect(cluster.leaders()).toEqual([]);
    for (const id of ['s2', 's3']) expect(persistedTerms(cluster, id), id).toEqual([1, 2, 4]);
  });
});

describe('Raft §5.3 / §5.4 Leader Append-Only', () => {
  // Raft §5.3: "a leader never overwrites or deletes entries in its log". A new leader keeps even the
  // uncommitted entries of earlier terms: they may have been committed by a leader it never heard from.
  it('a new leader keeps every uncommitted entry of earlier terms and appends after them', () => {
    const leader = makeLeader('a', ['a', 'b', 'c'], { terms: [1, 2, 2, 3], term: 3, commit: 2 });
    expect(leader.status().role).toBe('leader');
    const terms = leader.inspect().entries.map((entry) => entry.term);
    expect(terms.slice(0, 4)).toEqual([1, 2, 2, 3]);
    expect(terms[4]).toBe(leader.status().term);
  });

  it('a leader never truncates or overwrites its own log, whatever it is told in its term or earlier', () => {
    // Raft Figure 3, Leader Append-Only: "a leader never overwrites or deletes entries in its log; it only
    // appends new entries."
    const leader = makeLeader('a', ['a', 'b', 'c'], { terms: [1], term: 2 });
    leader.propose(1, bytes('x'));
    drain(leader);
    const before = leader.inspect().entries.map((e) => ({ ...e }));
    expect(termsOf(before)).toEqual([1, 3, 3]);

    const conflicting: Message[] = [
      // Another "leader" of the same term (impossible by Election Safety) or a stale one.
      appendEntries({
        from: 'b',
        to: 'a',
        term: 3,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 2, 'b')],
      }),
      appendEntries({
        from: 'b',
        to: 'a',
        term: 2,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 2, 'b')],
      }),
      heartbeat('b', 'a', 3, 1),
      // Follower answers with nonsense hints.
      appendReject('b', 'a', 3, 3, 0, 0),
      appendReject('c', 'a', 3, 1, 0, 0),
      appendAck('c', 'a', 3, 99),
    ];
    for (const message of conflicting) {
      leader.step(message);
      const out = drain(leader);
      // Storage is only ever asked to write past the end of the log.
      for (const written of out.entries) expect(written.index).toBeGreaterThan(before.length);
    }
    expect(leader.status().role).toBe('leader');
    expect(leader.inspect().entries.slice(0, before.length)).toEqual(before);
  });
});

describe('Raft §5.4 committed entries are never truncated', () => {
  it('a follower ignores an append that conflicts with its log below its commit index', () => {
    // Raft §5.4.3 (State Machine Safety): a committed entry is present in every future leader's log, so
    // an append contradicting one must be stale or bogus; the follower keeps its log intact.
    const follower = newRaft('b', ['a', 'b', 'c'], { terms: [1, 2, 2], term: 2, commit: 3 });
    follower.step(
      appendEntries({
        from: 'c',
        to: 'b',
        term: 3,
        prevLogIndex: 1,
        prevLogTerm: 1,
        entries: [entry(2, 3), entry(3, 3)],
      }),
    );
    const out = drain(follower);
    expect(termsOf(follower.inspect().entries)).toEqual([1, 2, 2]);
    expect(out.entries).toEqual([]);
    // It answers with what it knows matches any legitimate leader: its committed prefix.
    expect(ofType(out.persistedMessages, 'AppendEntriesResponse')).toMatchObject([
      { success: true, matchIndex: 3 },
    ]);
  });

  it('the log raises RaftInvariantError rather than truncate a committed entry', () => {
    // Truncating committed entries is impossible in a correct cluster (a bug or a broken disk): the
    // engine stops instead of silently diverging from the other state machines.
    const log = new RaftLog([entry(1, 1), entry(2, 2), entry(3, 2)], { index: 0, term: 0 }, 0, 3, 3);
    let thrown: unknown;
    try {
      log.tryAppend(1, 1, [entry(2, 3)]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RaftInvariantError);
    expect((thrown as RaftInvariantError).code).toBe('RAFT_INVARIANT');
    expect(termsOf(log.view())).toEqual([1, 2, 2]);
  });
});

describe('Raft §5.4.1 Leader Completeness', () => {
  it('a node missing a committed entry cannot become leader; the next leader has the entry', () => {
    // Raft §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the
    // candidate", so every leader holds every committed entry.
    // No PreVote and no leader lease, so that only the log comparison can stop c.
    const cluster = new EngineCluster(['a', 'b', 'c'], { preVote: false, checkQuorum: false }, 3);
    cluster.elect('a');
    cluster.isolate('c');
    cluster.propose('a', 'x'); // committed by a and b; c misses it
    expect(cluster.raft('a').status().commitIndex).toBe(3);

    cluster.heal();
    cluster.isolate('a'); // the leader crashes; c rejoins
    cluster.raft('c').campaign();
    cluster.deliver();
    expect(cluster.raft('c').status().role).not.toBe('leader');
    const answers = cluster
      .node('b')
      .sent.filter(({ message }) => message.type === 'RequestVoteResponse' && message.to === 'c');
    expect(answers.map(({ message }) => message.type === 'RequestVoteResponse' && message.granted)).toEqual([
      false,
    ]);

    const leaders = new Set<string>();
    for (let tick = 0; tick < 60; tick++) {
      cluster.tick();
      for (const id of cluster.leaders()) if (id !== 'a') leaders.add(id);
    }
    expect([...leaders]).toEqual(['b']);
    expect(cluster.appliedText('b')).toEqual(['x']);
    expect(cluster.appliedText('c')).toEqual(['x']);
  });
});
