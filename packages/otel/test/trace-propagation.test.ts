import { context, SpanKind, trace } from '@opentelemetry/api';
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
import { type RaftInstrumentation, raftInstrumentation, RAFT_SPAN_NAMES as S } from '../src/index.js';
import { type InProcessCluster, inProcessCluster, sentButUncommitted } from './in-process-cluster.js';

// Trace context through replication, end to end: a real in-process 3-node cluster whose nodes carry
// each traced proposal's context (`traceContext`), spans into InMemorySpanExporter. Conditions are
// awaited with deadlines (followers apply after the proposer's promise resolves), never slept on.
const IDS = ['a', 'b', 'c'] as const;
const encoder = new TextEncoder();
const DEADLINE = { timeoutMs: 5_000 };

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager().enable());
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

function tracingCluster(options: { propagate?: boolean; sampleRatio?: number } = {}) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  provider = tracerProvider;
  const instrumentations = new Map<NodeId, RaftInstrumentation>(
    IDS.map((id) => [
      id,
      raftInstrumentation({ nodeId: id, tracerProvider, sampleRatio: options.sampleRatio ?? 0 }),
    ]),
  );
  cluster = inProcessCluster({
    ids: IDS,
    observer: (id) => instrumentations.get(id)?.observer,
    traceContext: (id) => (options.propagate === false ? undefined : instrumentations.get(id)?.traceContext),
  });
  return { cluster, exporter, tracerProvider };
}

function spansOf(exporter: InMemorySpanExporter, name: string, node?: NodeId): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((span) => span.name === name && (node === undefined || span.attributes['raft.node.id'] === node));
}

/** The one span named `name` on `node` for log index `index`, once it has ended. */
async function entrySpan(
  exporter: InMemorySpanExporter,
  name: string,
  node: NodeId,
  index: number,
): Promise<ReadableSpan> {
  const find = () =>
    spansOf(exporter, name, node).filter((span) => span.attributes['raft.log.index'] === index);
  await waitFor(() => find().length > 0, DEADLINE);
  const found = find();
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Propose `text` on `node` inside a recording request span; returns the index and the `raft.propose` span. */
async function tracedProposal(
  exporter: InMemorySpanExporter,
  tracerProvider: TracerProvider,
  node: NodeId,
  text: string,
): Promise<{ index: number; propose: ReadableSpan }> {
  const request = tracerProvider.getTracer('test').startSpan('http PUT /kv');
  const index = await context.with(trace.setSpan(context.active(), request), () =>
    cluster!.node(node).propose(encoder.encode(text)),
  );
  request.end();
  await cluster!.waitForApplied(index);
  const [propose, ...others] = spansOf(exporter, S.propose, node);
  expect(others).toEqual([]);
  expect(propose?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  return { index, propose: propose! };
}

function expectChildOf(span: ReadableSpan, parent: ReadableSpan): void {
  expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
  expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
}

describe('trace context through replication', () => {
  it('a proposal on the leader is one trace: raft.propose, the leader replicating it and both followers appending it', async () => {
    const { cluster, exporter, tracerProvider } = tracingCluster();
    await cluster.startWithLeader('a');
    const { index, propose } = await tracedProposal(exporter, tracerProvider, 'a', 'hello');

    const replicate = await entrySpan(exporter, S.entryReplicate, 'a', index);
    expectChildOf(replicate, propose);
    expect(replicate.kind).toBe(SpanKind.INTERNAL);
    expect(Number(replicate.attributes['raft.commit.index'])).toBeGreaterThanOrEqual(index);
    expect(replicate.attributes['raft.span.unfinished']).toBeUndefined();
    // Commit needs one follower's acknowledgement; the other's may come after the commit ended the span.
    const acknowledgers = replicate.events
      .filter((event) => event.name === S.followerAcknowledgedEvent)
      .map((event) => event.attributes?.['raft.peer.id']);
    expect(acknowledgers.length).toBeGreaterThanOrEqual(1);
    expect(acknowledgers.every((peer) => peer === 'b' || peer === 'c')).toBe(true);

    for (const follower of ['b', 'c']) {
      const append = await entrySpan(exporter, S.entryAppend, follower, index);
      expectChildOf(append, propose);
      expect(append.parentSpanContext?.isRemote).toBe(true);
      expect(append.kind).toBe(SpanKind.CONSUMER);
      expect(append.attributes).toMatchObject({ 'raft.peer.id': 'a', 'raft.log.index': index });
      expect(append.events.map((event) => event.name)).toEqual([S.entryAcknowledgedEvent, S.appliedEvent]);
    }
    // The leader does not append its own entries from a message, nor do followers replicate.
    expect(spansOf(exporter, S.entryAppend, 'a')).toEqual([]);
    expect(spansOf(exporter, S.entryReplicate, 'b')).toEqual([]);
  });

  it('a proposal made on a follower keeps its trace through forwarding: the leader and both followers join it', async () => {
    const { cluster, exporter, tracerProvider } = tracingCluster();
    await cluster.startWithLeader('a');
    const { index, propose } = await tracedProposal(exporter, tracerProvider, 'b', 'from-b');
    expectChildOf(await entrySpan(exporter, S.entryReplicate, 'a', index), propose);
    for (const follower of ['b', 'c']) {
      expectChildOf(await entrySpan(exporter, S.entryAppend, follower, index), propose);
    }
  });

  it('AppendEntries exchange spans stay roots and link to the traces of the traced entries they carry', async () => {
    const { cluster, exporter, tracerProvider } = tracingCluster({ sampleRatio: 1 });
    await cluster.startWithLeader('a');
    const { index, propose } = await tracedProposal(exporter, tracerProvider, 'a', 'linked');
    const carrying = (name: string, node: NodeId) =>
      spansOf(exporter, name, node).filter((span) =>
        span.links.some((link) => link.attributes?.['raft.log.index'] === index),
      );
    await waitFor(() => carrying(S.appendEntriesReceive, 'b').length > 0, DEADLINE);
    for (const span of [...carrying(S.appendEntriesSend, 'a'), ...carrying(S.appendEntriesReceive, 'b')]) {
      expect(span.parentSpanContext).toBeUndefined();
      const link = span.links.find((candidate) => candidate.attributes?.['raft.log.index'] === index);
      expect(link?.context.traceId).toBe(propose.spanContext().traceId);
      expect(link?.context.spanId).toBe(propose.spanContext().spanId);
    }
    expect(carrying(S.appendEntriesSend, 'a').length).toBeGreaterThan(0);
    // Exchanges carrying only untraced entries (the leader's no-op) have no links.
    expect(spansOf(exporter, S.appendEntriesSend, 'a').some((span) => span.links.length === 0)).toBe(true);
  });

  it('an unsampled proposal carries no context, and without the capability nothing crosses nodes', async () => {
    const { cluster, exporter } = tracingCluster();
    const leader = await cluster.startWithLeader('a');
    // No recording parent and sampleRatio 0: raft.propose is not even started, so no context.
    const untraced = await leader.propose(encoder.encode('untraced'));
    await cluster.waitForApplied(untraced);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await cluster.stop();
    await provider?.shutdown();

    const off = tracingCluster({ propagate: false });
    await off.cluster.startWithLeader('a');
    const { index } = await tracedProposal(off.exporter, off.tracerProvider, 'a', 'local only');
    await off.cluster.waitForApplied(index);
    expect(spansOf(off.exporter, S.entryReplicate)).toEqual([]);
    expect(spansOf(off.exporter, S.entryAppend)).toEqual([]);
  });

  it('a leader that stops before its traced entry commits ends raft.entry.replicate unfinished', async () => {
    const { cluster, exporter, tracerProvider } = tracingCluster();
    const leader = await cluster.startWithLeader('a');
    cluster.network.isolate('b');
    cluster.network.isolate('c');
    const request = tracerProvider.getTracer('test').startSpan('request');
    const pending = context
      .with(trace.setSpan(context.active(), request), () =>
        leader.propose(encoder.encode('stuck'), { timeoutMs: 60_000 }),
      )
      .catch((error: unknown) => error);
    // Sent to the followers (the leader's batch starts after the event loop's turn), not committed.
    await waitFor(() => sentButUncommitted(leader.status()), DEADLINE);
    await leader.stop();
    await pending;
    request.end();
    const [replicate] = spansOf(exporter, S.entryReplicate, 'a');
    expect(replicate?.attributes['raft.span.unfinished']).toBe(true);
    expect(replicate?.parentSpanContext?.spanId).toBe(
      spansOf(exporter, S.propose, 'a')[0]?.spanContext().spanId,
    );
  });
});
