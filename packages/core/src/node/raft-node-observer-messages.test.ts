import { afterEach, describe, expect, it } from 'vitest';
import type { HeartbeatResponse, Message } from '../engine/messages.js';
import type { RaftEvent } from '../interfaces/observer.js';
import { bytes, type TestCluster } from './node-harness.test-support.js';
import { observedCluster, ofType } from './observer-harness.test-support.js';

// Message events come in batches (@raft/otel counts and samples them); these tests guard when a batch
// is reported and what it holds. Virtual time throughout.

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** A HeartbeatResponse from `from` to follower `to`: a follower ignores it, so it causes nothing. */
function strayResponse(from: string, to: string, term: number, readSeq: number): HeartbeatResponse {
  return { type: 'HeartbeatResponse', from, to, term, readSeq };
}

describe('RaftNode observer: messages sent', () => {
  it('one messages-sent event per transport send call, holding exactly the messages of that call', async () => {
    const observed = observedCluster(['a', 'b']);
    cluster = observed.cluster;
    const calls = new Map<string, (readonly Message[])[]>([
      ['a', []],
      ['b', []],
    ]);
    for (const id of ['a', 'b']) {
      cluster.member(id).transport.onSend = (messages) => calls.get(id)!.push(messages);
    }
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.outcome(
      Promise.all(['x', 'y', 'z'].map((text) => leader.node.propose(bytes(text)))),
      5_000,
    );
    for (const id of ['a', 'b']) {
      const reported = ofType(observed.events.get(id)!, 'messages-sent').map((event) => event.messages);
      expect(reported.length).toBeGreaterThan(0);
      expect(reported).toEqual(calls.get(id));
    }
  });
});

describe('RaftNode observer: messages received', () => {
  it('messages delivered together are one messages-received event, a microtask later, even when they cause nothing', async () => {
    const observed = observedCluster(['b']);
    cluster = observed.cluster;
    await cluster.startWithLeader('a');
    const follower = cluster.member('b');
    const term = follower.node.status().term;
    const events = observed.events.get('b')!;
    const before = events.length;
    const burst = [1, 2, 3].map((readSeq) => strayResponse('c', 'b', term, readSeq));
    for (const message of burst) follower.transport.deliver(message);
    expect(events.length).toBe(before);
    await Promise.resolve();
    expect(events.slice(before)).toEqual([{ type: 'messages-received', messages: burst }]);
  });

  it('messages received are reported before any other event the node emits after them', async () => {
    const observed = observedCluster(['a']);
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    const events = observed.events.get('a')!;
    const before = events.length;
    const stray: Message = strayResponse('b', 'a', leader.node.status().term, 0);
    leader.transport.deliver(stray);
    // Synchronously after delivery: proposal-started is emitted inside propose().
    const proposal = leader.node.propose(bytes('after the message'));
    const types = events.slice(before).map((event: RaftEvent) => event.type);
    expect(types.slice(0, 2)).toEqual(['messages-received', 'proposal-started']);
    expect(ofType(events.slice(before), 'messages-received')[0]!.messages).toContain(stray);
    await cluster.clock.outcome(proposal, 5_000);
  });

  it('a follower reports every AppendEntries before the response it sends for it', async () => {
    const observed = observedCluster(['b']);
    cluster = observed.cluster;
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.outcome(
      Promise.all(['x', 'y', 'z'].map((text) => leader.node.propose(bytes(text)))),
      5_000,
    );
    let appendsReceived = 0;
    let responsesSent = 0;
    for (const event of observed.events.get('b')!) {
      if (event.type === 'messages-received') {
        appendsReceived += event.messages.filter((message) => message.type === 'AppendEntries').length;
      } else if (event.type === 'messages-sent') {
        responsesSent += event.messages.filter((message) => message.type === 'AppendEntriesResponse').length;
        expect(responsesSent).toBeLessThanOrEqual(appendsReceived);
      }
    }
    expect(responsesSent).toBeGreaterThan(0);
  });
});
