import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { AppendEntries, AppendEntriesResponse, EntryTrace, NodeId, Role } from '@raft/core';
import { RAFT_ATTRIBUTES, RAFT_SPAN_NAMES } from './raft-semantic-conventions.js';
import { decodeTraceContext } from './trace-context-binary.js';

/**
 * Entries whose end never comes (a follower that never applies, a leader cut off before commit) must
 * not hold memory forever: as many as the leader keeps contexts for.
 */
const MAX_OPEN_ENTRIES = 1024;

interface OpenEntry {
  readonly index: number;
  readonly span: Span;
  /** Leader: followers whose acknowledgement was recorded. Follower: whether its own one was. */
  readonly acknowledged: NodeId[];
}

/**
 * Spans of traced entries, children of the proposal's `raft.propose` span through the trace context
 * the entry carries (`AppendEntries.traces`, set when the proposer's node has `traceContext`):
 * - leader, `raft.entry.replicate`: from the first AppendEntries carrying the entry (sent in the same
 *   batch that appended it) to its commit, with a `raft.follower.acknowledged` event per follower;
 * - follower, `raft.entry.append`: from the AppendEntries carrying it to the entry applied here, with
 *   a `raft.entry.acknowledged` event when this node's response (sent after persisting) covers it.
 * Everything is driven by the contexts in messages: with none, each call is one check and returns.
 */
export class EntrySpans {
  /** Leader side, ascending index. */
  private replicating: OpenEntry[] = [];
  /** Follower side, ascending index. */
  private appending: OpenEntry[] = [];
  /** Highest index given a replicate span in this leadership: retransmissions start none. */
  private highestReplicated = 0;
  private highestAppended = 0;
  private commitIndex = 0;
  private appliedIndex = 0;

  constructor(
    private readonly tracer: Tracer,
    private readonly base: Attributes,
  ) {}

  /** No span open on either side: responses need no lookup. */
  get idle(): boolean {
    return this.replicating.length === 0 && this.appending.length === 0;
  }

  nodeStarted(commitIndex: number, appliedIndex: number): void {
    this.commitIndex = commitIndex;
    this.appliedIndex = appliedIndex;
  }

  /** Leader: an AppendEntries carrying traced entries went to the transport. */
  appendSent(message: AppendEntries, traces: readonly EntryTrace[]): void {
    for (const entryTrace of traces) {
      if (entryTrace.index <= this.highestReplicated || entryTrace.index <= this.commitIndex) continue;
      const span = this.start(RAFT_SPAN_NAMES.entryReplicate, SpanKind.INTERNAL, message, entryTrace);
      if (span === undefined) continue;
      this.highestReplicated = entryTrace.index;
      this.push(this.replicating, { index: entryTrace.index, span, acknowledged: [] });
    }
  }

  /** Leader: a follower's answer; a success covers every entry up to its matchIndex. */
  responseReceived(response: AppendEntriesResponse): void {
    if (!response.success) return;
    for (const entry of this.replicating) {
      if (entry.index > response.matchIndex) break;
      if (entry.acknowledged.includes(response.from)) continue;
      entry.acknowledged.push(response.from);
      entry.span.addEvent(RAFT_SPAN_NAMES.followerAcknowledgedEvent, {
        [RAFT_ATTRIBUTES.peerId]: response.from,
      });
    }
  }

  /** The commit index advanced: replicate spans up to it are done. */
  committed(index: number): void {
    this.commitIndex = index;
    const queue = this.replicating;
    let done = 0;
    while (done < queue.length && queue[done]!.index <= index) done++;
    if (done === 0) return;
    for (const entry of queue.splice(0, done)) {
      entry.span.setAttribute(RAFT_ATTRIBUTES.commitIndex, index);
      entry.span.end();
    }
  }

  /** Follower: an AppendEntries carrying traced entries arrived from the leader. */
  appendReceived(message: AppendEntries, traces: readonly EntryTrace[]): void {
    for (const entryTrace of traces) {
      // Retransmissions and entries already applied here start nothing.
      if (entryTrace.index <= this.highestAppended || entryTrace.index <= this.appliedIndex) continue;
      const span = this.start(RAFT_SPAN_NAMES.entryAppend, SpanKind.CONSUMER, message, entryTrace);
      if (span === undefined) continue;
      span.setAttribute(RAFT_ATTRIBUTES.peerId, message.from);
      this.highestAppended = entryTrace.index;
      this.push(this.appending, { index: entryTrace.index, span, acknowledged: [] });
    }
  }

  /** Follower: this node answered the leader (after persisting, for a success). */
  responseSent(response: AppendEntriesResponse): void {
    if (!response.success) return;
    for (const entry of this.appending) {
      if (entry.index > response.matchIndex) break;
      if (entry.acknowledged.length > 0) continue;
      entry.acknowledged.push(response.to);
      entry.span.addEvent(RAFT_SPAN_NAMES.entryAcknowledgedEvent);
    }
  }

  /** Entries up to `index` were applied here: append spans up to it are done. */
  applied(index: number): void {
    this.appliedIndex = index;
    const queue = this.appending;
    let done = 0;
    while (done < queue.length && queue[done]!.index <= index) done++;
    if (done === 0) return;
    for (const entry of queue.splice(0, done)) {
      entry.span.addEvent(RAFT_SPAN_NAMES.appliedEvent);
      entry.span.end();
    }
  }

  /** A node that stops leading will not see its entries commit as leader: end those spans unfinished. */
  roleChanged(role: Role): void {
    if (role === 'leader') return;
    this.abandonAll(this.replicating);
    this.replicating = [];
    this.highestReplicated = 0;
  }

  /** End every open span, marked unfinished (stop, shutdown). */
  endAll(): void {
    this.abandonAll(this.replicating);
    this.abandonAll(this.appending);
    this.replicating = [];
    this.appending = [];
  }

  private start(
    name: string,
    kind: SpanKind,
    message: AppendEntries,
    entryTrace: EntryTrace,
  ): Span | undefined {
    const parent = decodeTraceContext(entryTrace.context);
    if (parent === undefined) return undefined;
    const options: SpanOptions = { kind, attributes: this.base };
    const span = this.tracer.startSpan(name, options, trace.setSpanContext(ROOT_CONTEXT, parent));
    if (!span.isRecording()) return undefined;
    span.setAttribute(RAFT_ATTRIBUTES.logIndex, entryTrace.index);
    const entry = message.entries[entryTrace.index - message.prevLogIndex - 1];
    if (entry !== undefined) span.setAttribute(RAFT_ATTRIBUTES.term, entry.term);
    return span;
  }

  private push(queue: OpenEntry[], entry: OpenEntry): void {
    queue.push(entry);
    if (queue.length > MAX_OPEN_ENTRIES) {
      const oldest = queue.shift();
      if (oldest !== undefined) this.abandonAll([oldest]);
    }
  }

  private abandonAll(entries: readonly OpenEntry[]): void {
    for (const entry of entries) {
      entry.span.setAttribute(RAFT_ATTRIBUTES.spanUnfinished, true);
      entry.span.end();
    }
  }
}
