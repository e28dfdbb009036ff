import type { Message, ProposalRecord } from '@raft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RAFT_METRIC_NAMES as M, raftInstrumentation } from '../src/index.js';
import { metricCollector } from './metric-collector.js';

// Core reports messages and proposals in batches (one event per send call, per burst received, per
// apply call). These tests feed such events by hand and check that every item in a batch counts.

let collector: ReturnType<typeof metricCollector> | undefined;
afterEach(async () => {
  await collector?.shutdown();
  collector = undefined;
});

function instrumented(proposalDurationSampleRatio = 1, proposalDurationMaxPerSecond?: number) {
  collector = metricCollector();
  const { observer } = raftInstrumentation({
    nodeId: 'a',
    meterProvider: collector.meterProvider,
    sampleRatio: 0,
    proposalDurationSampleRatio,
    ...(proposalDurationMaxPerSecond === undefined ? {} : { proposalDurationMaxPerSecond }),
  });
  return { observer, collector };
}

function record(proposalId: number, index: number, startedAt: number): ProposalRecord {
  return { proposalId, index, term: 2, startedAt };
}

describe('raftInstrumentation: batch events', () => {
  it('counts every message of a messages-sent or messages-received batch by type and peer', async () => {
    const { observer, collector } = instrumented();
    const heartbeat = (to: string): Message => ({
      type: 'Heartbeat',
      from: 'a',
      to,
      term: 2,
      commit: 0,
      readSeq: 0,
    });
    const response = (from: string): Message => ({
      type: 'HeartbeatResponse',
      from,
      to: 'a',
      term: 2,
      readSeq: 0,
    });
    observer({ type: 'messages-sent', messages: [heartbeat('b'), heartbeat('c'), heartbeat('b')] });
    observer({ type: 'messages-received', messages: [response('b'), response('b'), response('c')] });
    const snapshot = await collector.collect();
    const sent = (peer: string) => ({ 'raft.message.type': 'Heartbeat', 'raft.peer.id': peer });
    const received = (peer: string) => ({ 'raft.message.type': 'HeartbeatResponse', 'raft.peer.id': peer });
    expect(snapshot.value(M.messagesSent, sent('b'))).toBe(2);
    expect(snapshot.value(M.messagesSent, sent('c'))).toBe(1);
    expect(snapshot.value(M.messagesReceived, received('b'))).toBe(2);
    expect(snapshot.value(M.messagesReceived, received('c'))).toBe(1);
  });

  it('counts every proposal of a proposals-settled batch and times each from its start to the batch settledAt', async () => {
    const { observer, collector } = instrumented();
    observer({
      type: 'proposals-settled',
      outcome: 'applied',
      reason: 'applied',
      settledAt: 50,
      proposals: [record(1, 10, 40), record(2, 11, 30), record(3, 12, 20)],
    });
    observer({
      type: 'proposals-settled',
      outcome: 'failed',
      reason: 'stopped',
      settledAt: 60,
      proposals: [record(4, 13, 0), record(5, 0, 0)],
    });
    const snapshot = await collector.collect();
    const applied = { 'raft.proposal.outcome': 'applied', 'raft.proposal.reason': 'applied' };
    const stopped = { 'raft.proposal.outcome': 'failed', 'raft.proposal.reason': 'stopped' };
    expect(snapshot.value(M.proposals, applied)).toBe(3);
    expect(snapshot.value(M.proposals, stopped)).toBe(2);
    // 10, 20 and 30 ms; failed proposals have no proposal-to-apply latency.
    const duration = snapshot.histogram(M.proposalDuration);
    expect(duration.count).toBe(3);
    expect(duration.sum).toBeCloseTo(0.06, 9);
  });

  it('with proposalDurationSampleRatio 0.5 every second applied proposal is timed, across batches', async () => {
    const { observer, collector } = instrumented(0.5);
    for (const proposals of [[record(1, 1, 0), record(2, 2, 0), record(3, 3, 0)], [record(4, 4, 0)]]) {
      observer({ type: 'proposals-settled', outcome: 'applied', reason: 'applied', settledAt: 1, proposals });
    }
    const snapshot = await collector.collect();
    expect(snapshot.value(M.proposals, { 'raft.proposal.outcome': 'applied' })).toBe(4);
    expect(snapshot.histogram(M.proposalDuration).count).toBe(2);
  });

  it('by default times every applied proposal of a quiet node, and about 1,000 a second under load', async () => {
    const { observer, collector } = instrumented();
    const settle = (settledAt: number, proposals: ProposalRecord[]) =>
      observer({ type: 'proposals-settled', outcome: 'applied', reason: 'applied', settledAt, proposals });
    let id = 0;
    const batch = (size: number) => Array.from({ length: size }, () => record(++id, id, 0));
    // Quiet: 10 proposals a second for 2 s, all timed.
    for (let ms = 0; ms < 2_000; ms += 100) settle(ms, batch(1));
    expect((await collector.collect()).histogram(M.proposalDuration).count).toBe(20);
    // Loaded: batches of 500 every 5 ms (100,000 a second) for 2 s: the first 100 ms window learns the
    // rate (at most 200 records), then 100 per window.
    for (let ms = 2_000; ms < 4_000; ms += 5) settle(ms, batch(500));
    const snapshot = await collector.collect();
    expect(snapshot.value(M.proposals, { 'raft.proposal.outcome': 'applied' })).toBe(20 + 400 * 500);
    const timedUnderLoad = snapshot.histogram(M.proposalDuration).count - 20;
    expect(timedUnderLoad).toBeGreaterThanOrEqual(1_900);
    expect(timedUnderLoad).toBeLessThanOrEqual(2_000 + 200);
  });

  it('proposalDurationMaxPerSecond: Infinity times every applied proposal however many', async () => {
    const { observer, collector } = instrumented(1, Number.POSITIVE_INFINITY);
    const proposals = Array.from({ length: 5_000 }, (_, i) => record(i + 1, i + 1, 0));
    observer({ type: 'proposals-settled', outcome: 'applied', reason: 'applied', settledAt: 1, proposals });
    expect((await collector.collect()).histogram(M.proposalDuration).count).toBe(5_000);
  });
});
