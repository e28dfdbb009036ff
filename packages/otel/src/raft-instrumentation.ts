import {
  type Attributes,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Message, NodeId, Observer, RaftEvent, TraceContextSource } from '@raft/core';
import { AppendEntriesSpans } from './append-entries-spans.js';
import { EntrySpans } from './entry-spans.js';
import { InvalidInstrumentationOptionsError } from './instrumentation-errors.js';
import { NodeMetrics } from './node-metrics.js';
import { ProposalSpans } from './proposal-spans.js';
import { RAFT_ATTRIBUTES } from './raft-semantic-conventions.js';
import { RateCappedSampler } from './rate-capped-sampler.js';
import { StrideSampler } from './stride-sampler.js';

/** A ratio option: its default when absent; must be in [0, 1]. */
function ratio(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!(resolved >= 0 && resolved <= 1)) {
    throw new InvalidInstrumentationOptionsError(`${name} must be in [0, 1], got ${resolved}`);
  }
  return resolved;
}

/** A per-second cap option: a positive number (`Infinity` for none), or the default. */
function rateCap(name: string, value: number | undefined, fallback: number): number {
  const cap = value ?? fallback;
  if (!(typeof cap === 'number' && cap > 0)) {
    throw new InvalidInstrumentationOptionsError(`${name} must be a positive number, got ${cap}`);
  }
  return cap;
}

/** Compile-time exhaustiveness: `event` is `never` once every kind has a case. */
function ignoreUnknown(_event: never): void {}

/** The instrumentation scope name on every meter and tracer this package creates. */
export const INSTRUMENTATION_SCOPE = '@raft/otel';

/** Default {@link RaftInstrumentationOptions.sampleRatio}. */
export const DEFAULT_SAMPLE_RATIO = 0.01;

/** Default {@link RaftInstrumentationOptions.proposalDurationSampleRatio}. */
export const DEFAULT_PROPOSAL_DURATION_SAMPLE_RATIO = 1;

/** Default {@link RaftInstrumentationOptions.proposalDurationMaxPerSecond}. */
export const DEFAULT_PROPOSAL_DURATION_MAX_PER_SECOND = 1_000;

/** Default {@link RaftInstrumentationOptions.proposalTracesMaxPerSecond}. */
export const DEFAULT_PROPOSAL_TRACES_MAX_PER_SECOND = 10;

/** Options of {@link raftInstrumentation}. */
export interface RaftInstrumentationOptions {
  /** The node these events come from; `raft.node.id` on every span and (see `nodeIdOnMetrics`) metric point. */
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
  /**
   * Share of applied proposals whose proposal-to-apply latency is recorded in `raft.proposal.duration`,
   * from 0 (none) to 1 (every one, the default), before the cap below. Deterministic (every
   * 1/ratio-th applied proposal).
   */
  readonly proposalDurationSampleRatio?: number;
  /**
   * At most about this many `raft.proposal.duration` records per second (default 1,000): when more
   * applied proposals settle than that, an even share of them is recorded (rate measured over 100 ms
   * windows of the node's clock). That histogram is the only one recorded per proposal, and each record
   * costs the SDK a hash of its attribute set (about 0.3 µs with the node id alone): the cap keeps its
   * cost bounded under load, while a quiet node has every proposal timed. The histogram's buckets and
   * mean describe the latency distribution either way; its count is the recorded share, the exact
   * number of applied proposals is in `raft.proposals`. `Infinity` removes the cap.
   */
  readonly proposalDurationMaxPerSecond?: number;
  /**
   * At most about this many proposals per second start a trace of their own (default 10): past the
   * `sampleRatio` share, when more would, an even share of them does (rate measured over 100 ms windows
   * of the node's clock). With an SDK registered, each `raft.propose` span is created, annotated three
   * times and exported: at the ratio alone, the core benchmark's leader (180,000 proposals a second)
   * started 1,800 traces a second. Proposals made inside a recording span are traced whatever the cap.
   * `Infinity` removes the cap.
   */
  readonly proposalTracesMaxPerSecond?: number;
  /**
   * Put `raft.node.id` on every metric point (default true). Set false when this node has a
   * MeterProvider of its own whose Resource already says which node it is (for example
   * `service.instance.id`; the usual one-node-per-process deployment): histogram records then carry
   * only your `attributes`, and with none the SDK has no attribute set to hash on each record, the
   * largest per-record cost. Never set false when several nodes share a MeterProvider: their series
   * would merge. Spans keep `raft.node.id` either way.
   */
  readonly nodeIdOnMetrics?: boolean;
}

/**
 * What {@link raftInstrumentation} returns: the observer to give the node, the trace context capability,
 * and a way to detach.
 */
export interface RaftInstrumentation {
  /** Pass to `createRaftNode({ observer })` (and to a transport that reports `message-dropped`). */
  readonly observer: Observer;
  /**
   * Pass to `createRaftNode({ traceContext })` to trace proposals across nodes: it answers the binary
   * W3C trace context of a proposal's `raft.propose` span when that span is recording and sampled
   * (`undefined` otherwise), so the entry carries it to the leader and the followers, whose
   * instrumentations then record `raft.entry.replicate` and `raft.entry.append` in the same trace.
   * Opt-in because messages carrying a context use codec version 2: set it only once every member
   * runs a release that decodes it (see `RaftNodeOptions.traceContext`).
   */
  readonly traceContext: TraceContextSource;
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
 * @throws InvalidInstrumentationOptionsError (code `RAFT_OTEL_INVALID_OPTIONS`) for an empty nodeId, or
 *   a sampleRatio or proposalDurationSampleRatio outside [0, 1], or a proposalDurationMaxPerSecond or
 *   proposalTracesMaxPerSecond that is not a positive number.
 * @example
 * ```ts
 * import { createRaftNode } from '@raft/core';
 * import { raftInstrumentation } from '@raft/otel';
 *
 * const instrumentation = raftInstrumentation({ nodeId: 'a', meterProvider, tracerProvider });
 * const node = createRaftNode({
 *   id: 'a', storage, transport, stateMachine,
 *   observer: instrumentation.observer,
 *   // Optional: one trace per proposal across nodes (once every member decodes codec version 2).
 *   traceContext: instrumentation.traceContext,
 * });
 * ```
 */
export function raftInstrumentation(options: RaftInstrumentationOptions): RaftInstrumentation {
  if (typeof options.nodeId !== 'string' || options.nodeId === '') {
    throw new InvalidInstrumentationOptionsError('nodeId must be a non-empty string');
  }
  const sampleRatio = ratio('sampleRatio', options.sampleRatio, DEFAULT_SAMPLE_RATIO);
  const durationRatio = ratio(
    'proposalDurationSampleRatio',
    options.proposalDurationSampleRatio,
    DEFAULT_PROPOSAL_DURATION_SAMPLE_RATIO,
  );
  const base: Attributes = { ...options.attributes, [RAFT_ATTRIBUTES.nodeId]: options.nodeId };
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const durationCap = rateCap(
    'proposalDurationMaxPerSecond',
    options.proposalDurationMaxPerSecond,
    DEFAULT_PROPOSAL_DURATION_MAX_PER_SECOND,
  );
  const tracesCap = rateCap(
    'proposalTracesMaxPerSecond',
    options.proposalTracesMaxPerSecond,
    DEFAULT_PROPOSAL_TRACES_MAX_PER_SECOND,
  );
  const metricBase = options.nodeIdOnMetrics === false ? { ...options.attributes } : base;
  const nodeMetrics = new NodeMetrics(meter, metricBase, new RateCappedSampler(durationRatio, durationCap));

  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
  const tracingMayRecord = tracingProbe(tracerProvider);
  // Separate samplers: the heavy AppendEntries stream must not starve proposals of their share.
  const proposalSpans = new ProposalSpans(tracer, new RateCappedSampler(sampleRatio, tracesCap), base);
  // With ratio 0 no exchange is ever traced: skip that handler altogether.
  const appendSpans =
    sampleRatio > 0 ? new AppendEntriesSpans(tracer, new StrideSampler(sampleRatio), base) : undefined;
  // Not sampled here: the proposer sampled the entry when it gave it a context.
  const entrySpans = new EntrySpans(tracer, base);

  // AppendEntries and their responses feed both span kinds. Untraced traffic with no exchange sampled
  // costs a type check per message, a sampler step and a property check per AppendEntries.
  const spansOnSent = (messages: readonly Message[]): void => {
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      if (message.type === 'AppendEntries') {
        appendSpans?.appendSent(message);
        if (message.traces !== undefined) entrySpans.appendSent(message, message.traces);
      } else if (message.type === 'AppendEntriesResponse') {
        if (appendSpans !== undefined && !appendSpans.idle) appendSpans.responseSent(message);
        if (!entrySpans.idle) entrySpans.responseSent(message);
      }
    }
  };
  const spansOnReceived = (messages: readonly Message[]): void => {
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      if (message.type === 'AppendEntries') {
        appendSpans?.appendReceived(message);
        if (message.traces !== undefined) entrySpans.appendReceived(message, message.traces);
      } else if (message.type === 'AppendEntriesResponse') {
        if (appendSpans !== undefined && !appendSpans.idle) appendSpans.responseReceived(message);
        if (!entrySpans.idle) entrySpans.responseReceived(message);
      }
    }
  };

  let active = true;
  // One dispatch per event, straight to typed handlers. Messages come in batches (one event per send
  // call, one per burst received): counted in one pass, then one pass for the spans.
  const dispatch = (event: RaftEvent): void => {
    if (!active) return;
    switch (event.type) {
      case 'messages-sent':
        nodeMetrics.messagesSent(event.messages);
        spansOnSent(event.messages);
        return;
      case 'messages-received':
        nodeMetrics.messagesReceived(event.messages);
        spansOnReceived(event.messages);
        return;
      case 'message-dropped':
        nodeMetrics.messageDropped(event);
        return;
      case 'proposal-started':
        proposalSpans.started(event);
        return;
      case 'proposals-accepted':
        proposalSpans.accepted(event.proposals);
        return;
      case 'proposals-settled':
        nodeMetrics.proposalsSettled(event);
        proposalSpans.settled(event);
        return;
      case 'committed':
        nodeMetrics.committed(event.index);
        proposalSpans.committed(event.index);
        entrySpans.committed(event.index);
        return;
      case 'applied':
        nodeMetrics.applied(event);
        proposalSpans.applied(event.index);
        entrySpans.applied(event.index);
        return;
      case 'persisted':
        nodeMetrics.persisted(event);
        return;
      case 'read-settled':
        nodeMetrics.readSettled(event);
        return;
      case 'replication-progress':
        nodeMetrics.replicationProgress(event);
        return;
      case 'role-changed':
        nodeMetrics.roleChanged(event);
        appendSpans?.endAllOpen();
        entrySpans.roleChanged(event.role);
        return;
      case 'node-started':
        nodeMetrics.nodeStarted(event);
        proposalSpans.nodeStarted(event);
        entrySpans.nodeStarted(event.commitIndex, event.appliedIndex);
        return;
      case 'node-stopped':
        nodeMetrics.nodeStopped();
        proposalSpans.endAll();
        appendSpans?.endAllOpen();
        entrySpans.endAll();
        return;
      case 'node-failed':
        nodeMetrics.nodeFailed();
        return;
      case 'snapshot-created':
      case 'snapshot-installed':
        nodeMetrics.snapshot(event);
        return;
      default:
        // A kind added to core later is ignored at run time; the compiler flags it here.
        ignoreUnknown(event);
        return;
    }
  };
  // `proposal-started` only starts `raft.propose` spans, so the node builds that event (the one it
  // would build per proposal) only for a proposal this package will trace: never without a tracing SDK.
  const observer: Observer = Object.assign(dispatch, {
    wantsProposalStarted: (proposalId: number, startedAt: number) =>
      active && tracingMayRecord() && proposalSpans.decide(proposalId, startedAt),
  });
  return {
    observer,
    traceContext: (proposalId) => (active ? proposalSpans.traceContext(proposalId) : undefined),
    shutdown() {
      if (!active) return;
      active = false;
      nodeMetrics.shutdown();
      proposalSpans.endAll();
      appendSpans?.endAllOpen();
      entrySpans.endAll();
    },
  };
}

/**
 * Whether spans of `provider` may record: false only while it is the API's global proxy with no SDK
 * behind it (no `trace.setGlobalTracerProvider` yet), whose spans are all non-recording. Once an SDK is
 * there the answer stays true without asking again.
 */
function tracingProbe(provider: TracerProvider): () => boolean {
  if (!(provider instanceof ProxyTracerProvider)) return () => true;
  let registered = false;
  return () => {
    registered ||= provider.getDelegateTracer(INSTRUMENTATION_SCOPE) !== undefined;
    return registered;
  };
}
