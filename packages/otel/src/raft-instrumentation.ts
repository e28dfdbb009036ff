import { type Attributes, type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import type { NodeId, Observer, RaftEvent } from '@raft/core';
import { AppendEntriesSpans } from './append-entries-spans.js';
import { InvalidInstrumentationOptionsError } from './instrumentation-errors.js';
import { NodeMetrics } from './node-metrics.js';
import { ProposalSpans } from './proposal-spans.js';
import { RAFT_ATTRIBUTES } from './raft-semantic-conventions.js';
import { StrideSampler } from './stride-sampler.js';

/** The instrumentation scope name on every meter and tracer this package creates. */
export const INSTRUMENTATION_SCOPE = '@raft/otel';

/** Default {@link RaftInstrumentationOptions.sampleRatio}. */
export const DEFAULT_SAMPLE_RATIO = 0.01;

/** Options of {@link raftInstrumentation}. */
export interface RaftInstrumentationOptions {
  /** The node these events come from; reported as `raft.node.id` on every metric point and span. */
  readonly nodeId: NodeId;
  /** Where metrics go. Default: the global provider (`metrics.getMeterProvider()`; a no-op until an SDK registers one). */
  readonly meterProvider?: MeterProvider;
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Added to every metric point and span, e.g. `{ 'raft.cluster.id': 'orders' }`. Keep it low-cardinality. */
  readonly attributes?: Attributes;
  /**
   * Share of the spans this package starts as trace roots that it actually starts: AppendEntries
   * exchanges, and proposals made outside any recording span. From 0 (none) to 1 (all, leaving the
   * decision to the SDK's sampler). Default 0.01: replication sends several AppendEntries per
   * proposal, and tracing every one costs far more than the 5% this package aims for. A proposal made
   * inside a recording span (an HTTP request you trace) is always traced, as its child, whatever the
   * ratio. Applied before the SDK is asked, deterministically (every 1/ratio-th), not at random.
   */
  readonly sampleRatio?: number;
}

/** What {@link raftInstrumentation} returns: the observer to give the node, and a way to detach. */
export interface RaftInstrumentation {
  /** Pass to `createRaftNode({ observer })` (and to a transport that reports `message-dropped`). */
  readonly observer: Observer;
  /**
   * Stop reporting: removes this node's metric callbacks and ends open spans (marked
   * `raft.span.unfinished`). Events arriving afterwards are ignored. Does not shut the providers down.
   */
  shutdown(): void;
}

/**
 * OpenTelemetry metrics and spans for one Raft node, through `@opentelemetry/api` only: bring your own
 * SDK and exporter. Create one per node (its id labels everything it reports).
 *
 * @throws InvalidInstrumentationOptionsError (code `RAFT_OTEL_INVALID_OPTIONS`) for an empty nodeId or a
 *   sampleRatio outside [0, 1].
 * @example
 * ```ts
 * import { createRaftNode } from '@raft/core';
 * import { raftInstrumentation } from '@raft/otel';
 *
 * const instrumentation = raftInstrumentation({ nodeId: 'a', meterProvider, tracerProvider });
 * const node = createRaftNode({ id: 'a', storage, transport, stateMachine, observer: instrumentation.observer });
 * ```
 */
export function raftInstrumentation(options: RaftInstrumentationOptions): RaftInstrumentation {
  if (typeof options.nodeId !== 'string' || options.nodeId === '') {
    throw new InvalidInstrumentationOptionsError('nodeId must be a non-empty string');
  }
  const sampleRatio = options.sampleRatio ?? DEFAULT_SAMPLE_RATIO;
  if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
    throw new InvalidInstrumentationOptionsError(`sampleRatio must be in [0, 1], got ${sampleRatio}`);
  }
  const base: Attributes = { ...options.attributes, [RAFT_ATTRIBUTES.nodeId]: options.nodeId };
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const nodeMetrics = new NodeMetrics(meter, base);

  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  // Separate samplers: the heavy AppendEntries stream must not starve proposals of their share.
  const proposalSpans = new ProposalSpans(tracer, new StrideSampler(sampleRatio), base);
  // With ratio 0 no exchange is ever traced: skip that handler altogether.
  const appendSpans =
    sampleRatio > 0 ? new AppendEntriesSpans(tracer, new StrideSampler(sampleRatio), base) : undefined;

  let active = true;
  const observer: Observer = (event: RaftEvent) => {
    if (!active) return;
    nodeMetrics.handle(event);
    // Route to the span handlers that care: message events are most of the traffic (several per
    // proposal) and only AppendEntries spans look at them.
    switch (event.type) {
      case 'message-sent':
      case 'message-received':
      case 'role-changed':
        appendSpans?.handle(event);
        return;
      case 'proposal-started':
      case 'proposal-accepted':
      case 'proposal-settled':
      case 'committed':
      case 'applied':
      case 'node-started':
        proposalSpans.handle(event);
        return;
      case 'node-stopped':
        proposalSpans.handle(event);
        appendSpans?.handle(event);
        return;
      default:
        return;
    }
  };
  return {
    observer,
    shutdown() {
      if (!active) return;
      active = false;
      nodeMetrics.shutdown();
      proposalSpans.endAll();
      appendSpans?.endAllOpen();
    },
  };
}
