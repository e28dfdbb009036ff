import {
  type Attributes,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import type { AppendEntries, AppendEntriesResponse, NodeId } from '@raft/core';
import { RAFT_ATTRIBUTES, RAFT_SPAN_NAMES } from './raft-semantic-conventions.js';
import type { StrideSampler } from './stride-sampler.js';
import { decodeTraceContext } from './trace-context-binary.js';

/** Links to the traces of the traced entries `message` carries, or undefined when it carries none. */
function entryLinks(message: AppendEntries): Link[] | undefined {
  if (message.traces === undefined) return undefined;
  const links: Link[] = [];
  for (const entryTrace of message.traces) {
    const context = decodeTraceContext(entryTrace.context);
    if (context !== undefined) {
      links.push({ context, attributes: { [RAFT_ATTRIBUTES.logIndex]: entryTrace.index } });
    }
  }
  return links.length === 0 ? undefined : links;
}

/** An exchange whose answer never comes (lost message, peer down) must not hold memory forever. */
const MAX_OPEN_PER_PEER = 64;

interface OpenAppend {
  readonly span: Span;
  readonly prevLogIndex: number;
  /** Last index carried (prevLogIndex when empty). */
  readonly lastIndex: number;
}

/**
 * AppendEntries spans, one per sampled exchange:
 * - leader, `raft.append_entries.send` (CLIENT): from handing the message to the transport until the
 *   follower's response covers its last entry (success) or names its prevLogIndex (rejection): the
 *   replication round trip including the follower's durable write;
 * - follower, `raft.append_entries.receive` (SERVER): from delivery until this node sends its response,
 *   which it does only after persisting (the follower's share of that round trip).
 * The exchanges stay trace roots (one AppendEntries may carry entries of many proposals); one that
 * carries traced entries links to each of their traces (`raft.log.index` on the link).
 */
export class AppendEntriesSpans {
  /** Leader side, by follower. */
  private readonly sending = new Map<NodeId, OpenAppend[]>();
  /** Follower side, by leader. */
  private readonly receiving = new Map<NodeId, OpenAppend[]>();
  /** Open exchanges on both sides: while 0 (the usual case at low ratios) responses skip the lookups. */
  private openCount = 0;

  constructor(
    private readonly tracer: Tracer,
    private readonly sampler: StrideSampler,
    private readonly base: Attributes,
  ) {}

  /** No exchange open on either side (the usual case at low ratios): responses answer nothing. */
  get idle(): boolean {
    return this.openCount === 0;
  }

  /**
   * End every open span, marked unfinished (shutdown, stop, and any role change: in a new term or role
   * the answers to the old exchanges no longer mean what they meant).
   */
  endAllOpen(): void {
    this.endAll(this.sending);
    this.endAll(this.receiving);
  }

  /** Leader: the driver handed an AppendEntries to the transport. */
  appendSent(message: AppendEntries): void {
    if (!this.sampler.sample()) return;
    const span = this.start(RAFT_SPAN_NAMES.appendEntriesSend, SpanKind.CLIENT, message, message.to);
    if (span !== undefined) this.push(this.sending, message.to, span, message);
  }

  /** Follower: an AppendEntries was delivered. */
  appendReceived(message: AppendEntries): void {
    if (!this.sampler.sample()) return;
    const span = this.start(RAFT_SPAN_NAMES.appendEntriesReceive, SpanKind.SERVER, message, message.from);
    if (span !== undefined) this.push(this.receiving, message.from, span, message);
  }

  /** Leader: a follower's response was delivered. */
  responseReceived(response: AppendEntriesResponse): void {
    if (this.openCount === 0) return;
    const open = this.sending.get(response.from);
    if (open !== undefined && open.length > 0) this.settle(open, response);
  }

  /** Follower: its response went to the transport. */
  responseSent(response: AppendEntriesResponse): void {
    if (this.openCount === 0) return;
    const open = this.receiving.get(response.to);
    if (open !== undefined && open.length > 0) this.settle(open, response);
  }

  /**
   * Match a response to the exchanges it answers by content (both sides see the same response): a
   * success means everything up to matchIndex is on the follower's disk, so each exchange whose last
   * entry it covers is done; a rejection names the prevLogIndex that did not match.
   */
  private settle(open: OpenAppend[], response: AppendEntriesResponse): void {
    if (response.success) {
      let kept = 0;
      for (const exchange of open) {
        if (exchange.lastIndex <= response.matchIndex) this.finish(exchange, true);
        else open[kept++] = exchange;
      }
      this.openCount -= open.length - kept;
      open.length = kept;
      return;
    }
    const position = open.findIndex((exchange) => exchange.prevLogIndex === response.rejectedIndex);
    const [rejected] = position < 0 ? [] : open.splice(position, 1);
    if (rejected !== undefined) {
      this.openCount--;
      this.finish(rejected, false);
    }
  }

  private start(name: string, kind: SpanKind, message: AppendEntries, peer: NodeId): Span | undefined {
    // Replication is not part of any caller's request: each exchange is a root. The shared base
    // attributes go in at start (for samplers); the rest only once the SDK decided to record, since
    // building an attribute object per message costs more than the whole unsampled path.
    const links = entryLinks(message);
    const span = this.tracer.startSpan(
      name,
      links === undefined ? { kind, attributes: this.base } : { kind, attributes: this.base, links },
      ROOT_CONTEXT,
    );
    if (!span.isRecording()) return undefined;
    const entries = message.entries;
    span.setAttribute(RAFT_ATTRIBUTES.peerId, peer);
    span.setAttribute(RAFT_ATTRIBUTES.term, message.term);
    span.setAttribute(RAFT_ATTRIBUTES.prevLogIndex, message.prevLogIndex);
    span.setAttribute(RAFT_ATTRIBUTES.entryCount, entries.length);
    span.setAttribute(RAFT_ATTRIBUTES.commitIndex, message.leaderCommit);
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (first !== undefined && last !== undefined) {
      span.setAttribute(RAFT_ATTRIBUTES.firstIndex, first.index);
      span.setAttribute(RAFT_ATTRIBUTES.lastIndex, last.index);
    }
    return span;
  }

  private push(table: Map<NodeId, OpenAppend[]>, peer: NodeId, span: Span, message: AppendEntries): void {
    let open = table.get(peer);
    if (open === undefined) {
      open = [];
      table.set(peer, open);
    }
    const last = message.entries[message.entries.length - 1];
    open.push({
      span,
      prevLogIndex: message.prevLogIndex,
      lastIndex: last?.index ?? message.prevLogIndex,
    });
    this.openCount++;
    if (open.length > MAX_OPEN_PER_PEER) {
      const oldest = open.shift();
      if (oldest !== undefined) {
        this.openCount--;
        this.abandon(oldest);
      }
    }
  }

  private finish(exchange: OpenAppend, success: boolean): void {
    exchange.span.setAttribute(RAFT_ATTRIBUTES.appendSuccess, success);
    if (!success) exchange.span.setStatus({ code: SpanStatusCode.ERROR, message: 'rejected' });
    exchange.span.end();
  }

  private abandon(exchange: OpenAppend): void {
    exchange.span.setAttribute(RAFT_ATTRIBUTES.spanUnfinished, true);
    exchange.span.end();
  }

  private endAll(table: Map<NodeId, OpenAppend[]>): void {
    for (const open of table.values()) {
      this.openCount -= open.length;
      for (const exchange of open) this.abandon(exchange);
    }
    table.clear();
  }
}
