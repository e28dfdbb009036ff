import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/engine/messages.js';
import type { Raft } from '../../src/engine/raft.js';
import type { Entry } from '../../src/engine/types.js';
import { EngineCluster } from '../engine-harness.js';

// A driver may apply entries that commit while it is still writing a later Ready
// (`takeCommittedEntries`), as long as this node made them durable: committed entries are applied in
// log order, each exactly once, and never before this node's own write of them completed.
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

describe('applying entries committed while a later write is in flight', () => {
  it('hands out each committed entry once, in order, only once this node made it durable', () => {
    const cluster = new EngineCluster(['a', 'b', 'c']);
    cluster.elect('a');
    cluster.tick(3);
    const leader = cluster.raft('a');

    // `x` is written here (advance), its appends reach the followers.
    leader.propose(1, encoder.encode('x'));
    const first = leader.ready();
    leader.advance(first);
    const acksForX = followersAcknowledge(cluster, first.messages);

    // `y`'s write is in flight here (no advance yet) when the acknowledgements for `x` arrive.
    leader.propose(2, encoder.encode('y'));
    const second = leader.ready();
    expect(texts(second.entries)).toEqual(['y']);
    stepAll(leader, acksForX);
    expect(texts(leader.takeCommittedEntries())).toEqual(['x']);
    expect(leader.takeCommittedEntries()).toEqual([]);

    // `y` commits on the followers' disks, not on this one yet: not handed out.
    stepAll(leader, followersAcknowledge(cluster, second.messages));
    expect(leader.status().commitIndex).toBe(second.entries[0]!.index);
    expect(leader.takeCommittedEntries()).toEqual([]);

    leader.appliedTo(first.entries[0]!.index);
    leader.advance(second);
    const third = leader.ready();
    expect(texts(third.committedEntries)).toEqual(['y']);
    leader.advance(third);
    expect(leader.status().appliedIndex).toBe(second.entries[0]!.index);
  });
});
