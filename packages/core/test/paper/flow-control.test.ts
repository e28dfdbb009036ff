import { describe, expect, it } from 'vitest';
import { EngineCluster } from '../engine-harness.js';
import {
  appendAck,
  appendReject,
  bytes,
  drain,
  heartbeatAck,
  makeLeader,
  ofType,
  persistedTerms,
  text,
} from './replication-support.js';

// Flow control follows etcd's progress states (probe / replicate) layered on Raft §5.3 replication.

const ABC = ['a', 'b', 'c'];
const FIVE = ['a', 'b', 'c', 'd', 'e'];

function appendsTo(messages: Parameters<typeof ofType>[0], to: string) {
  return ofType(messages, 'AppendEntries').filter((m) => m.to === to);
}

describe('flow control: probe state', () => {
  it('a probing follower gets one AppendEntries at a time until it answers', () => {
    // A new leader does not know where a follower's log ends (Raft §5.3 "nextIndex"), so it probes with
    // one message and waits for the answer rather than flooding a follower whose log may not match.
    const leader = makeLeader('a', ABC); // its first probe (with the no-op) is already out
    for (let id = 1; id <= 3; id++) leader.propose(id, bytes(`p${id}`));
    expect(appendsTo(drain(leader).messages, 'b')).toEqual([]);

    leader.step(appendAck('b', 'a', 2, 2));
    const after = appendsTo(drain(leader).messages, 'b');
    expect(after.flatMap((m) => m.entries).map(text)).toEqual(['p1', 'p2', 'p3']);
    expect(leader.status().progress.get('b')?.state).toBe('replicate');
  });

  it('a heartbeat answer releases exactly one new probe', () => {
    // The probe or its answer may be lost; the heartbeat round trip proves the follower is reachable.
    const leader = makeLeader('a', ABC);
    leader.tick();
    const round = drain(leader);
    expect(appendsTo(round.messages, 'b')).toEqual([]); // still waiting for the first probe's answer
    leader.step(heartbeatAck('b', 'a', 2, 1));
    expect(appendsTo(drain(leader).messages, 'b')).toHaveLength(1);
    leader.propose(1, bytes('x'));
    expect(appendsTo(drain(leader).messages, 'b')).toEqual([]);
  });
});

describe('flow control: replicate state', () => {
  it('pipelines up to maxInflightMessages appends, then pauses until acknowledgements free the window', () => {
    const leader = makeLeader('a', ABC, undefined, { maxInflightMessages: 2 });
    leader.step(appendAck('b', 'a', 2, 2));
    drain(leader);

    const sent = [];
    for (let id = 1; id <= 4; id++) {
      leader.propose(id, bytes(`p${id}`));
      sent.push(...appendsTo(drain(leader).messages, 'b'));
    }
    // Optimistic pipelining: one message per proposal, without waiting, until two are in flight.
    expect(sent.map((m) => m.entries.map(text))).toEqual([['p1'], ['p2']]);

    leader.step(appendAck('b', 'a', 2, 3)); // frees one slot: the backlog goes out in one message
    expect(appendsTo(drain(leader).messages, 'b').map((m) => m.entries.map(text))).toEqual([['p3', 'p4']]);

    leader.propose(5, bytes('p5'));
    expect(appendsTo(drain(leader).messages, 'b')).toEqual([]); // window full again
  });

  it('proposals stepped between two Readys go to each follower as one AppendEntries, not one each', () => {
    // Messages leave only with a Ready, so the engine builds the appends then: a follower gets (and
    // answers) one message per batch however many proposals it holds, and the window counts batches.
    const leader = makeLeader('a', ABC, undefined, { maxInflightMessages: 2 });
    leader.step(appendAck('b', 'a', 2, 2));
    leader.step(appendAck('c', 'a', 2, 2));
    drain(leader);
    for (let id = 1; id <= 5; id++) leader.propose(id, bytes(`p${id}`));
    const messages = drain(leader).messages;
    for (const to of ['b', 'c']) {
      expect(appendsTo(messages, to).map((m) => m.entries.map(text))).toEqual([
        ['p1', 'p2', 'p3', 'p4', 'p5'],
      ]);
    }
    // One slot of two used: the next batch still goes out without waiting for an acknowledgement.
    leader.propose(6, bytes('p6'));
    expect(appendsTo(drain(leader).messages, 'b').map((m) => m.entries.map(text))).toEqual([['p6']]);
  });

  it('a commit learned from several acknowledgements reaches each follower in one message per Ready', () => {
    const leader = makeLeader('a', ABC);
    leader.step(appendAck('b', 'a', 2, 2));
    leader.step(appendAck('c', 'a', 2, 2));
    drain(leader);
    for (let id = 1; id <= 3; id++) leader.propose(id, bytes(`p${id}`));
    drain(leader);
    // b acknowledges the batch piecemeal (as after a resend): each commits one more entry.
    for (const index of [3, 4, 5]) leader.step(appendAck('b', 'a', 2, index));
    const toC = appendsTo(drain(leader).messages, 'c');
    expect(leader.status().commitIndex).toBe(5);
    expect(toC).toHaveLength(1);
    expect(toC[0]).toMatchObject({ entries: [], leaderCommit: 5 });
  });

  it('a follower answering heartbeats while its whole window of appends went unanswered is probed again', () => {
    // Every append of a full window was lost: no acknowledgement or rejection will ever free it, so
    // without this the leader would only send heartbeats to this follower from now on.
    const leader = makeLeader('a', ABC, undefined, { maxInflightMessages: 2 });
    leader.step(appendAck('b', 'a', 2, 2));
    drain(leader);
    for (let id = 1; id <= 3; id++) {
      leader.propose(id, bytes(`p${id}`));
      drain(leader); // the appends to b are lost
    }
    expect(leader.status().progress.get('b')?.state).toBe('replicate');
    leader.step(heartbeatAck('b', 'a', 2, 0));
    const resent = appendsTo(drain(leader).messages, 'b');
    expect(resent.length).toBe(1);
    expect(resent[0]!.prevLogIndex).toBe(2);
    expect(resent[0]!.entries.map(text)).toEqual(['p1', 'p2', 'p3']);
  });

  it('maxBytesPerMessage caps the entry bytes of one AppendEntries, but at least one entry is sent', () => {
    // Five voters so that b's answer alone commits nothing and only flow control decides what is sent.
    const leader = makeLeader('a', FIVE, undefined, { maxBytesPerMessage: 12 });
    for (const data of ['aaaaaa', 'bbbbbb', 'cccccc', 'd'.repeat(20)]) leader.propose(1, bytes(data));
    drain(leader);

    leader.step(appendAck('b', 'a', 2, 2));
    const batches = appendsTo(drain(leader).messages, 'b').map((m) =>
      m.entries.map((e) => e.data.byteLength),
    );
    expect(batches).toEqual([[6, 6], [6], [20]]);
  });

  it('a rejection in replicate state falls back to probe from the match index', () => {
    // The follower lost a pipelined append (here the one carrying index 3), so the next one, after index
    // 3, is rejected: the leader stops pipelining and probes again from what it knows matches.
    const leader = makeLeader('a', ABC);
    leader.step(appendAck('b', 'a', 2, 2));
    drain(leader);
    leader.propose(1, bytes('x'));
    leader.propose(2, bytes('y'));
    drain(leader);

    leader.step(appendReject('b', 'a', 2, 3, 2, 2));
    expect(leader.status().progress.get('b')).toMatchObject({ state: 'probe', match: 2 });
    const probes = appendsTo(drain(leader).messages, 'b');
    expect(probes.map((m) => [m.prevLogIndex, m.entries.map(text)])).toEqual([[2, ['x', 'y']]]);
  });

  it('a stale rejection (for an index at or below the match index) is ignored in replicate state', () => {
    const leader = makeLeader('a', ABC);
    leader.step(appendAck('b', 'a', 2, 2));
    leader.propose(1, bytes('x'));
    leader.step(appendAck('b', 'a', 2, 3));
    drain(leader);

    leader.step(appendReject('b', 'a', 2, 2, 1, 1)); // answers a message the ack already superseded
    expect(leader.status().progress.get('b')).toMatchObject({ state: 'replicate', match: 3, next: 4 });
    expect(appendsTo(drain(leader).messages, 'b')).toEqual([]);
  });

  // Regression (fixed in leader.ts): an acknowledgement that advanced the commit index used to send at
  // most one message per follower, so a follower catching up on a backlog it was needed for commit got
  // one message per round trip instead of a full window (etcd fills the window in both cases).
  it('an acknowledgement that advances the commit index still fills the follower window', () => {
    const leader = makeLeader('a', ABC, undefined, { maxBytesPerMessage: 1 });
    for (const data of ['x', 'y', 'z']) leader.propose(1, bytes(data));
    drain(leader);

    leader.step(appendAck('b', 'a', 2, 2));
    expect(leader.status().commitIndex).toBe(2);
    const batches = appendsTo(drain(leader).messages, 'b').map((m) => m.entries.map(text));
    expect(batches).toEqual([['x'], ['y'], ['z']]);
  });
});

describe('flow control: learners', () => {
  it('learners receive entries but do not count toward commit', () => {
    // Raft thesis §4.2.1: non-voting members catch up without affecting the quorum.
    const cluster = new EngineCluster(ABC, {}, 1, ['l']);
    cluster.elect('a');
    cluster.isolate('b');
    cluster.isolate('c');
    cluster.propose('a', 'x');

    expect(persistedTerms(cluster, 'l')).toEqual([1, 2, 2]); // bootstrap, no-op, x
    expect(cluster.raft('a').status().commitIndex).toBe(2); // a + l is not a majority of {a, b, c}
    expect(cluster.appliedText('l')).toEqual([]);

    cluster.heal();
    cluster.tick(2);
    expect(cluster.raft('a').status().commitIndex).toBe(3);
    expect(cluster.appliedText('l')).toEqual(['x']);
  });
});
