import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
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

function sdkProvider() {
  const exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, tracerProvider: provider };
}

describe('raftInstrumentation: proposal-started only while spans may record', () => {
  it('is not wanted on the global provider before an SDK registers, then wanted for good', () => {
    const { observer } = raftInstrumentation({ nodeId: 'a' });
    expect(observer.wantsProposalStarted?.()).toBe(false);
    trace.setGlobalTracerProvider(sdkProvider().tracerProvider);
    expect(observer.wantsProposalStarted?.()).toBe(true);
  });

  it('is always wanted with a tracer provider of its own, and never after shutdown', () => {
    const instrumentation = raftInstrumentation({
      nodeId: 'a',
      tracerProvider: sdkProvider().tracerProvider,
    });
    expect(instrumentation.observer.wantsProposalStarted?.()).toBe(true);
    instrumentation.shutdown();
    expect(instrumentation.observer.wantsProposalStarted?.()).toBe(false);
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
