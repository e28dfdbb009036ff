import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ProposalRecord, RaftEvent } from '@raft/core';
import { RAFT_ATTRIBUTES, RAFT_SPAN_NAMES } from './raft-semantic-conventions.js';
import type { RateCappedSampler } from './rate-capped-sampler.js';
import { encodeTraceContext } from './trace-context-binary.js';

type Event<T extends RaftEvent['type']> = Extract<RaftEvent, { type: T }>;

interface OpenProposal {
  readonly span: Span;
  /** Log index once accepted, else 0. */
  index: number;
  /** Settled (or shut down): its span has ended, skip it when it reaches the front of a queue. */
  ended: boolean;
}

/** Insert keeping `queue` sorted by index (proposals are accepted in log order, so usually at the end). */
function insertByIndex(queue: OpenProposal[], proposal: OpenProposal): void {
  let position = queue.length;
  while (position > 0 && queue[position - 1]!.index > proposal.index) position--;
  queue.splice(position, 0, proposal);
}

/**
 * `raft.propose` spans on the node that proposed: started inside `propose()` (so the caller's active
 * span is the parent), with events when the entry is accepted into the log, committed and applied on
 * this node, ended when the caller's promise settles. Only sampled proposals are tracked, so the
 * per-event cost for the rest is one size check.
 */
export class ProposalSpans {
  private readonly open = new Map<number, OpenProposal>();
  /** Accepted, not yet committed, by index: a commit pops from the front instead of scanning all. */
  private awaitingCommit: OpenProposal[] = [];
  private awaitingApply: OpenProposal[] = [];
  private commitIndex = 0;
  private appliedIndex = 0;
  /**
   * What {@link decide} answered for the proposal being made right now, so its `proposal-started`
   * event (which may still come, for another observer) neither samples again nor reads another context.
   */
  private decidedFor = -1;
  /** The parent of the span to start, or undefined when the proposal is not traced. */
  private decidedParent: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly sampler: RateCappedSampler,
    private readonly base: Attributes,
  ) {}

  // Called by the instrumentation's single dispatch, one method per event kind.

  committed(index: number): void {
    this.commitIndex = index;
    if (this.awaitingCommit.length > 0) this.onCommitted();
  }

  applied(index: number): void {
    this.appliedIndex = index;
    if (this.awaitingApply.length > 0) this.onApplied();
  }

  nodeStarted(event: Event<'node-started'>): void {
    this.commitIndex = event.commitIndex;
    this.appliedIndex = event.appliedIndex;
  }

  /** End every open span (shutdown): they are exported as unfinished rather than lost. */
  endAll(): void {
    for (const proposal of this.open.values()) {
      proposal.ended = true;
      proposal.span.setAttribute(RAFT_ATTRIBUTES.spanUnfinished, true);
      proposal.span.end();
    }
    this.open.clear();
    this.awaitingCommit = [];
    this.awaitingApply = [];
  }

  /**
   * Whether proposal `proposalId`, being proposed now, gets a span: asked by the node in `propose()`
   * (the caller's context is active), before it builds the `proposal-started` event. A proposal made
   * inside a recording span is always traced (as its child); others at the sample ratio, under the
   * rate cap (on the node's clock).
   */
  decide(proposalId: number, startedAt: number): boolean {
    const parent = context.active();
    const traced = trace.getSpan(parent)?.isRecording() === true || this.sampler.sample(startedAt);
    this.decidedFor = proposalId;
    this.decidedParent = traced ? parent : undefined;
    return traced;
  }

  started(event: Event<'proposal-started'>): void {
    // Decided in `propose()` already, or (a node that did not ask) decided now: propose() emits this
    // synchronously, so the active context is still the caller's.
    if (this.decidedFor !== event.proposalId) this.decide(event.proposalId, event.startedAt);
    const parent = this.decidedParent;
    this.decidedFor = -1;
    this.decidedParent = undefined;
    if (parent === undefined) return;
    const span = this.tracer.startSpan(
      RAFT_SPAN_NAMES.propose,
      { kind: SpanKind.INTERNAL, attributes: this.base },
      parent,
    );
    // The SDK's sampler said no: nothing would be exported, so do not track it.
    if (!span.isRecording()) return;
    span.setAttribute(RAFT_ATTRIBUTES.proposalBytes, event.bytes);
    this.open.set(event.proposalId, { span, index: 0, ended: false });
  }

  /**
   * The binary trace context of proposal `proposalId`'s span, for the node to carry with its entry:
   * only for a recording, sampled span (an unsampled one would only make other nodes start spans no
   * one exports).
   */
  traceContext(proposalId: number): Uint8Array | undefined {
    const proposal = this.open.get(proposalId);
    if (proposal === undefined) return undefined;
    const spanContext = proposal.span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
    return encodeTraceContext(spanContext);
  }

  /** Proposals landed in the log: with no span open (most proposals are not sampled) nothing to look up. */
  accepted(records: readonly ProposalRecord[]): void {
    if (this.open.size === 0) return;
    for (const record of records) {
      const proposal = this.open.get(record.proposalId);
      if (proposal !== undefined) this.accept(proposal, record);
    }
  }

  private accept(proposal: OpenProposal, record: ProposalRecord): void {
    proposal.index = record.index;
    proposal.span.setAttributes({
      [RAFT_ATTRIBUTES.logIndex]: record.index,
      [RAFT_ATTRIBUTES.term]: record.term,
    });
    proposal.span.addEvent(RAFT_SPAN_NAMES.acceptedEvent);
    // A forwarded proposal's answer can arrive after this node already learned the commit.
    if (record.index > this.commitIndex) insertByIndex(this.awaitingCommit, proposal);
    else this.commit(proposal);
  }

  private onCommitted(): void {
    const queue = this.awaitingCommit;
    let taken = 0;
    while (taken < queue.length && queue[taken]!.index <= this.commitIndex) taken++;
    for (const proposal of queue.splice(0, taken)) if (!proposal.ended) this.commit(proposal);
  }

  private onApplied(): void {
    const queue = this.awaitingApply;
    let taken = 0;
    while (taken < queue.length && queue[taken]!.index <= this.appliedIndex) taken++;
    for (const proposal of queue.splice(0, taken)) if (!proposal.ended) this.apply(proposal);
  }

  private commit(proposal: OpenProposal): void {
    proposal.span.addEvent(RAFT_SPAN_NAMES.committedEvent, {
      [RAFT_ATTRIBUTES.commitIndex]: this.commitIndex,
    });
    if (proposal.index > this.appliedIndex) insertByIndex(this.awaitingApply, proposal);
    else this.apply(proposal);
  }

  private apply(proposal: OpenProposal): void {
    proposal.span.addEvent(RAFT_SPAN_NAMES.appliedEvent);
  }

  settled(event: Event<'proposals-settled'>): void {
    if (this.open.size === 0) return;
    for (const record of event.proposals) {
      const proposal = this.open.get(record.proposalId);
      if (proposal === undefined) continue;
      this.open.delete(record.proposalId);
      proposal.ended = true;
      const span = proposal.span;
      span.setAttributes({
        [RAFT_ATTRIBUTES.proposalOutcome]: event.outcome,
        [RAFT_ATTRIBUTES.proposalReason]: event.reason,
      });
      if (record.index > 0 && proposal.index === 0) span.setAttribute(RAFT_ATTRIBUTES.logIndex, record.index);
      if (event.outcome !== 'applied') span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason });
      span.end();
    }
  }
}
