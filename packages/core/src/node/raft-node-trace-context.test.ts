import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessages, encodeMessages } from '../codec/message-codec.js';
import type { AppendEntries, Message } from '../engine/messages.js';
import { bytes, TestCluster } from './node-harness.test-support.js';
import type { TraceContextSource } from './proposal-trace-context.js';

// The driver's traceContext capability (virtual time): asked once per proposal, right after
// proposal-started, and what it answers travels with the entry; a bad answer never fails a proposal.
const IDS = ['a', 'b', 'c'] as const;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const context = new Uint8Array(26).map((_, i) => i + 1);

function allSent(current: TestCluster): Message[] {
  return IDS.flatMap((id) => current.member(id).transport.sent);
}

function tracedAppends(current: TestCluster): AppendEntries[] {
  return allSent(current).filter(
    (message): message is AppendEntries => message.type === 'AppendEntries' && message.traces !== undefined,
  );
}

describe('RaftNode traceContext', () => {
  it('is asked right after proposal-started with its id, and the context reaches every follower with the entry', async () => {
    const log: string[] = [];
    const source: TraceContextSource = (proposalId) => {
      log.push(`context ${proposalId}`);
      return context;
    };
    cluster = new TestCluster(IDS, {
      traceContext: (id) => (id === 'a' ? source : undefined),
      observer: (id) =>
        id === 'a'
          ? (event) => {
              if (event.type === 'proposal-started') log.push(`started ${event.proposalId}`);
            }
          : undefined,
    });
    const leader = await cluster.startWithLeader('a');
    const outcome = await cluster.clock.outcome(leader.node.propose(bytes('traced')), 5_000);
    expect(outcome.status).toBe('fulfilled');
    const index = outcome.status === 'fulfilled' ? outcome.value : -1;
    const id = Number(log[0]?.split(' ')[1]);
    expect(log).toEqual([`started ${id}`, `context ${id}`]);
    const carriers = tracedAppends(cluster);
    expect(new Set(carriers.map((message) => message.to))).toEqual(new Set(['b', 'c']));
    for (const message of carriers) expect(message.traces).toEqual([{ index, context }]);
  });

  it('every message a traced run sends encodes and decodes exactly (traced ones as codec version 2)', async () => {
    cluster = new TestCluster(IDS, { traceContext: () => () => context });
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.outcome(leader.node.propose(bytes('on-leader')), 5_000);
    await cluster.clock.outcome(cluster.member('b').node.propose(bytes('forwarded')), 5_000);
    const messages = allSent(cluster);
    expect(messages.some((message) => message.type === 'Propose' && message.trace !== undefined)).toBe(true);
    for (const message of messages) {
      const frame = encodeMessages([message]);
      const traced = 'traces' in message || 'trace' in message;
      expect(frame[0]).toBe(traced ? 2 : 1);
      expect(decodeMessages(frame)).toStrictEqual([message]);
    }
  });

  it('a source that throws or answers a wrong length leaves the proposal untraced, not failed', async () => {
    let calls = 0;
    cluster = new TestCluster(IDS, {
      traceContext: () => () => {
        calls++;
        if (calls === 1) throw new Error('tracer broke');
        return new Uint8Array(calls === 2 ? 25 : 0);
      },
    });
    const leader = await cluster.startWithLeader('a');
    for (const text of ['one', 'two', 'three']) {
      const outcome = await cluster.clock.outcome(leader.node.propose(bytes(text)), 5_000);
      expect(outcome.status).toBe('fulfilled');
    }
    expect(calls).toBe(3);
    expect(allSent(cluster).some((message) => 'traces' in message || 'trace' in message)).toBe(false);
  });

  it('without the capability nothing is traced', async () => {
    cluster = new TestCluster(IDS);
    const leader = await cluster.startWithLeader('a');
    await cluster.clock.outcome(leader.node.propose(bytes('plain')), 5_000);
    await cluster.clock.outcome(cluster.member('c').node.propose(bytes('forwarded')), 5_000);
    expect(allSent(cluster).some((message) => 'traces' in message || 'trace' in message)).toBe(false);
  });
});
