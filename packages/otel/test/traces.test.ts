import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { NodeId } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { raftInstrumentation, RAFT_SPAN_NAMES as S } from '../src/index.js';
import { type InProcessCluster, inProcessCluster, sentButUncommitted } from './in-process-cluster.js';

// Spans from a real in-process cluster into the SDK's InMemorySpanExporter. The stack context
// manager makes `context.with` work, which is all a synchronous propose() call needs to find its parent.
const IDS = ['a', 'b', 'c'] as const;
const encoder = new TextEncoder();

let contextManager: StackContextManager;
beforeAll(() => {
  contextManager = new StackContextManager().enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});

let cluster: InProcessCluster | undefined;
let provider: TracerProvider | undefined;
afterEach(async () => {
  await cluster?.stop();
  await provider?.shutdown();
  cluster = undefined;
  provider = undefined;
});

function tracedCluster(options: { sampleRatio?: number; forwardProposals?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  provider = tracerProvider;
  cluster = inProcessCluster({
    ids: IDS,
    ...(options.forwardProposals === undefined
      ? {}
      : { raft: { forwardProposals: options.forwardProposals } }),
    observer: (id) =>
      raftInstrumentation({
        nodeId: id,
        tracerProvider,
        sampleRatio: options.sampleRatio ?? 1,
        // These tests count sampled proposals made back to back; the rate cap has tests of its own.
        proposalTracesMaxPerSecond: Number.POSITIVE_INFINITY,
      }).observer,
  });
  return { cluster, exporter, tracerProvider };
}

function spansOf(exporter: InMemorySpanExporter, name: string, node?: NodeId): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((span) => span.name === name && (node === undefined || span.attributes['raft.node.id'] === node));
}

describe('raft.propose spans', () => {
  it('a proposal on the leader is one span under the caller span, with accepted, committed and applied events in order', async () => {
    const { cluster, exporter, tracerProvider } = tracedCluster();
    const leader = await cluster.startWithLeader('a');
    const parent = tracerProvider.getTracer('test').startSpan('http PUT /kv/x');
    const index = await context.with(trace.setSpan(context.active(), parent), () =>
      leader.propose(encoder.encode('hello')),
    );
    parent.end();

    const [span, ...others] = spansOf(exporter, S.propose, 'a');
    expect(others).toEqual([]);
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.events.map((event) => event.name)).toEqual([
      S.acceptedEvent,
      S.committedEvent,
      S.appliedEvent,
    ]);
    expect(span?.attributes).toMatchObject({
      'raft.node.id': 'a',
      'raft.log.index': index,
      'raft.proposal.bytes': 5,
      'raft.proposal.outcome': 'applied',
      'raft.proposal.reason': 'applied',
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a forwarded proposal is traced on the follower that proposed it, through its own commit and apply', async () => {
    const { cluster, exporter } = tracedCluster();
    await cluster.startWithLeader('a');
    const index = await cluster.node('b').propose(encoder.encode('from-b'));
    const [span] = spansOf(exporter, S.propose, 'b');
    expect(span?.attributes['raft.log.index']).toBe(index);
    expect(span?.events.map((event) => event.name)).toEqual([
      S.acceptedEvent,
      S.committedEvent,
      S.appliedEvent,
    ]);
    expect(spansOf(exporter, S.propose, 'a')).toEqual([]);
  });

  it('a refused proposal ends with an error status naming the reason', async () => {
    const { cluster, exporter } = tracedCluster({ forwardProposals: false });
    await cluster.startWithLeader('a');
    await expect(cluster.node('b').propose(encoder.encode('x'))).rejects.toMatchObject({
      code: 'RAFT_NOT_LEADER',
    });
    const [span] = spansOf(exporter, S.propose, 'b');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not-leader' });
    expect(span?.attributes['raft.proposal.outcome']).toBe('rejected');
    expect(span?.events).toEqual([]);
  });

  it('sampleRatio 0.5 traces every other root proposal; with 0 only proposals inside a recording span are traced', async () => {
    const { cluster, exporter } = tracedCluster({ sampleRatio: 0.5 });
    const leader = await cluster.startWithLeader('a');
    for (let i = 0; i < 10; i++) await leader.propose(encoder.encode(`v${i}`));
    expect(spansOf(exporter, S.propose, 'a')).toHaveLength(5);
    await cluster.stop();
    await provider?.shutdown();

    const off = tracedCluster({ sampleRatio: 0 });
    const offLeader = await off.cluster.startWithLeader('a');
    await offLeader.propose(encoder.encode('untraced'));
    expect(off.exporter.getFinishedSpans()).toEqual([]);
    const parent = off.tracerProvider.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () =>
      offLeader.propose(encoder.encode('traced')),
    );
    parent.end();
    const [child, ...others] = spansOf(off.exporter, S.propose);
    expect(others).toEqual([]);
    expect(child?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(spansOf(off.exporter, S.appendEntriesSend)).toEqual([]);
  });
});

describe('AppendEntries spans', () => {
  it('the leader has a CLIENT span per exchange ended by the covering response; followers a SERVER span per append', async () => {
    const { cluster, exporter } = tracedCluster();
    const leader = await cluster.startWithLeader('a');
    const index = await leader.propose(encoder.encode('replicated'));
    await cluster.waitForApplied(index);
    // The response that ends the leader's span may still be in flight when the proposal resolves.
    await waitFor(
      () =>
        ['b', 'c'].every((follower) =>
          spansOf(exporter, S.appendEntriesSend, 'a').some(
            (span) =>
              span.attributes['raft.peer.id'] === follower &&
              Number(span.attributes['raft.log.last_index']) >= index,
          ),
        ),
      { timeoutMs: 5_000 },
    );
    const sent = spansOf(exporter, S.appendEntriesSend, 'a');
    const carrying = sent.find(
      (span) => span.attributes['raft.peer.id'] === 'b' && span.attributes['raft.log.last_index'] === index,
    );
    expect(carrying?.kind).toBe(SpanKind.CLIENT);
    expect(carrying?.attributes).toMatchObject({
      'raft.append.success': true,
      'raft.term': leader.status().term,
    });
    expect(Number(carrying?.attributes['raft.entries.count'])).toBeGreaterThanOrEqual(1);

    const received = spansOf(exporter, S.appendEntriesReceive, 'b').find(
      (span) => span.attributes['raft.log.last_index'] === index,
    );
    expect(received?.kind).toBe(SpanKind.SERVER);
    expect(received?.attributes).toMatchObject({ 'raft.peer.id': 'a', 'raft.append.success': true });
    // Exchanges are roots on both sides (untraced entries here, so no links either).
    expect(received?.parentSpanContext).toBeUndefined();
    expect(carrying?.parentSpanContext).toBeUndefined();
  });

  it('open exchanges end, marked unfinished, when the node stops', async () => {
    const { cluster, exporter } = tracedCluster();
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('b');
    cluster.network.isolate('c');
    const pending = leader
      .propose(encoder.encode('stuck'), { timeoutMs: 60_000 })
      .catch((error: unknown) => error);
    // Sent to the followers (the leader's batch starts after the event loop's turn), not committed.
    await waitFor(() => sentButUncommitted(leader.status()), { timeoutMs: 5_000 });
    await leader.stop();
    await pending;
    const unfinished = spansOf(exporter, S.appendEntriesSend, 'a').filter(
      (span) => span.attributes['raft.span.unfinished'] === true,
    );
    expect(unfinished.length).toBeGreaterThan(0);
    const [proposal] = spansOf(exporter, S.propose, 'a');
    expect(proposal?.attributes['raft.proposal.reason']).toBe('stopped');
  });
});
