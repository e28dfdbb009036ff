import { describe, expect, it } from 'vitest';
import type { AppendEntries, Message } from '../../src/engine/messages.js';
import type { Raft } from '../../src/engine/raft.js';
import type { Entry } from '../../src/engine/types.js';
import { EngineCluster } from '../engine-harness.js';

// A driver may apply entries that commit while it is still writing a later Ready
// (`takeCommittedEntries`): committed entries are applied in log order, each exactly once. A committed
// entry is durable on a quorum, so it may be applied before this node's own write of it completes
// (Raft thesis §10.2.1), but never before it was handed to this node's storage in a Ready.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const texts = (entries: readonly Entry[]) =>
  entries
    .filter((entry) => entry.type === 'normal' && entry.data.length > 0)
    .map((e) => decoder.decode(e.data));

/** Steps `messages` into their followers and returns those followers' acknowledgements (their writes done). */
function followersAcknowledge(cluster: EngineCluster, messages: readonly Message[]): Message[] {
  for (const message of messages) cluster.raft(message.to).step(message);
  const acks: Message[] = [];
  for (const id of ['b', 'c']) {
    const follower = cluster.node(id);
    const before = follower.sent.length;
    cluster.process(id);
    acks.push(...follower.sent.slice(before).map((sent) => sent.message));
  }
  return acks.filter((message) => message.to === 'a');
}

function stepAll(raft: Raft, messages: readonly Message[]): void {
  for (const message of messages) raft.step(message);
}

/** A 3-node cluster led by `a`, which proposed `x` and took the Ready that writes it (not advanced). */
function leaderWritingX() {
  const cluster = new EngineCluster(['a', 'b', 'c']);
  cluster.elect('a');
  cluster.tick(3);
  const leader = cluster.raft('a');
  leader.propose(1, encoder.encode('x'));
  return { cluster, leader, batch: leader.ready() };
}

describe('applying entries committed while a later write is in flight', () => {
  it('hands out each committed entry once, in order, even before this node wrote it', () => {
    // `x` is written here (advance), its appends reach the followers.
    const { cluster, leader, batch: first } = leaderWritingX();
    leader.advance(first);
    const acksForX = followersAcknowledge(cluster, first.messages);

    // `y`'s write is in flight here (no advance yet) when the acknowledgements for `x` arrive.
    leader.propose(2, encoder.encode('y'));
    const second = leader.ready();
    expect(texts(second.entries)).toEqual(['y']);
    stepAll(leader, acksForX);
    expect(texts(leader.takeCommittedEntries())).toEqual(['x']);
    expect(leader.takeCommittedEntries()).toEqual([]);

    // `y` commits on the followers' disks while this node's write of it is still in flight: a quorum
    // holds it, so it is handed out now, once.
    stepAll(leader, followersAcknowledge(cluster, second.messages));
    expect(leader.status().commitIndex).toBe(second.entries[0]!.index);
    expect(leader.inspect().persistedIndex).toBe(first.entries[0]!.index);
    expect(texts(leader.takeCommittedEntries())).toEqual(['y']);
    expect(leader.takeCommittedEntries()).toEqual([]);

    leader.appliedTo(second.entries[0]!.index);
    leader.advance(second);
    const third = leader.ready();
    expect(third.committedEntries).toEqual([]);
    leader.advance(third);
    expect(leader.status().appliedIndex).toBe(second.entries[0]!.index);
  });

  it('does not count the leader before its own write: one follower alone commits nothing', () => {
    const { cluster, leader, batch } = leaderWritingX();
    const fromB = followersAcknowledge(cluster, batch.messages).filter((ack) => ack.from === 'b');
    stepAll(leader, fromB);
    // b and the leader's in-flight write are not a quorum: the leader's copy is not durable yet.
    expect(leader.status().commitIndex).toBeLessThan(batch.entries[0]!.index);
    expect(leader.takeCommittedEntries()).toEqual([]);
    leader.advance(batch);
    expect(texts(leader.ready().committedEntries)).toEqual(['x']);
  });

  it('never hands out a committed entry before a Ready handed it to storage', () => {
    const { cluster, batch } = leaderWritingX();
    const index = batch.entries[0]!.index;
    const toC = batch.messages.find(
      (message): message is AppendEntries => message.to === 'c' && message.type === 'AppendEntries',
    )!;
    expect(texts(toC.entries)).toEqual(['x']);

    // c learns `x` and, in the same message, that it is committed (a quorum holds it elsewhere).
    const follower = cluster.raft('c');
    follower.step({ ...toC, leaderCommit: index });
    expect(follower.status().commitIndex).toBe(index);
    expect(follower.takeCommittedEntries()).toEqual([]);

    // Its Ready hands `x` to storage and, committed, to the state machine: the two may overlap.
    const ready = follower.ready();
    expect(texts(ready.entries)).toEqual(['x']);
    expect(texts(ready.committedEntries)).toEqual(['x']);
    expect(follower.takeCommittedEntries()).toEqual([]);
    follower.advance(ready);
    expect(follower.status().appliedIndex).toBe(index);
  });
});
