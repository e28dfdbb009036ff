import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Observer } from '@raft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RAFT_SPAN_NAMES, raftInstrumentation } from '../src/index.js';
import { type InProcessCluster, inProcessCluster } from './in-process-cluster.js';

// `proposal-started` is the one event core builds per proposal, and it only starts spans: the observer
// tells core to skip it while no tracing SDK stands behind the API's global provider.
const encoder = new TextEncoder();

let cluster: InProcessCluster | undefined;
let provider: TracerProvider | undefined;
afterEach(async () => {
  await cluster?.stop();
  await provider?.shutdown();
  trace.disable();
  cluster = undefined;
  provider = undefined;
});

/** What the node emits for a proposal made at `startedAt` and applied at once. */
function proposeAndSettle(observer: Observer, proposalId: number, startedAt: number): void {
  observer({ type: 'proposal-started', proposalId, bytes: 1, startedAt });
  observer({
    type: 'proposals-settled',
    outcome: 'applied',
    reason: 'applied',
    settledAt: startedAt,
    proposals: [{ proposalId, index: proposalId, term: 1, startedAt }],
  });
}

function sdkProvider() {
  const exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, tracerProvider: provider };
}

describe('raftInstrumentation: proposal-started only while spans may record', () => {
  it('is not wanted on the global provider before an SDK registers, then wanted for good', () => {
    const { observer } = raftInstrumentation({ nodeId: 'a', sampleRatio: 1 });
    expect(observer.wantsProposalStarted?.(1, 0)).toBe(false);
    trace.setGlobalTracerProvider(sdkProvider().tracerProvider);
    expect(observer.wantsProposalStarted?.(2, 0)).toBe(true);
  });

  it('is wanted with a tracer provider of its own (for sampled proposals), and never after shutdown', () => {
    const instrumentation = raftInstrumentation({
      nodeId: 'a',
      tracerProvider: sdkProvider().tracerProvider,
      sampleRatio: 1,
    });
    expect(instrumentation.observer.wantsProposalStarted?.(1, 0)).toBe(true);
    instrumentation.shutdown();
    expect(instrumentation.observer.wantsProposalStarted?.(2, 0)).toBe(false);
  });

  it('proposals get raft.propose spans once an SDK is registered globally, not before', async () => {
    cluster = inProcessCluster({
      ids: ['a'],
      observer: (id) => raftInstrumentation({ nodeId: id, sampleRatio: 1 }).observer,
    });
    const leader = await cluster.startWithLeader('a');
    await leader.propose(encoder.encode('before'));
    const { exporter, tracerProvider } = sdkProvider();
    trace.setGlobalTracerProvider(tracerProvider);
    await leader.propose(encoder.encode('after'));
    await tracerProvider.forceFlush();
    const spans = exporter.getFinishedSpans().filter((span) => span.name === RAFT_SPAN_NAMES.propose);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['raft.proposal.bytes']).toBe(5);
  });
});

describe('raftInstrumentation: the node asks before building proposal-started', () => {
  it('wants the event only for proposals it traces, and an event that comes anyway is not sampled again', () => {
    const { exporter, tracerProvider } = sdkProvider();
    const { observer } = raftInstrumentation({ nodeId: 'a', tracerProvider, sampleRatio: 0.5 });
    const propose = (proposalId: number) => {
      const wanted = observer.wantsProposalStarted?.(proposalId, proposalId);
      // Another observer may want it: the event comes whatever this one answered.
      proposeAndSettle(observer, proposalId, proposalId);
      return wanted;
    };
    expect([1, 2, 3, 4].map(propose)).toEqual([false, true, false, true]);
    const traced = exporter.getFinishedSpans().filter((span) => span.name === RAFT_SPAN_NAMES.propose);
    expect(traced).toHaveLength(2);
  });
});

describe('raftInstrumentation: proposal traces are capped by rate', () => {
  /** Proposals started at `times` (ms of the node's clock), each settled at once; the spans exported. */
  function traced(times: readonly number[], proposalTracesMaxPerSecond?: number): number {
    const { exporter, tracerProvider } = sdkProvider();
    const { observer } = raftInstrumentation({
      nodeId: 'a',
      tracerProvider,
      sampleRatio: 1,
      ...(proposalTracesMaxPerSecond === undefined ? {} : { proposalTracesMaxPerSecond }),
    });
    times.forEach((startedAt, i) => {
      proposeAndSettle(observer, i + 1, startedAt);
    });
    return exporter.getFinishedSpans().filter((span) => span.name === RAFT_SPAN_NAMES.propose).length;
  }

  it('a quiet node traces every sampled proposal', () => {
    expect(traced([0, 200, 400, 600, 800], 10)).toBe(5);
  });

  it('a loaded one about the cap: 3,000 proposals in 3 s at 10 a second trace about 30', () => {
    const times = Array.from({ length: 3_000 }, (_, i) => i);
    const count = traced(times, 10);
    expect(count).toBeGreaterThanOrEqual(29);
    expect(count).toBeLessThanOrEqual(32);
    expect(traced(times, Number.POSITIVE_INFINITY)).toBe(3_000);
  });
});
