import { type EntryTrace, TRACE_CONTEXT_BYTES } from './messages.js';

/** Default bound on traced entries a leader holds contexts for. */
export const MAX_TRACED_ENTRIES = 1024;

/**
 * The leader's trace contexts for traced entries in flight, in ascending index order (a leader only
 * appends, so they arrive in order). AppendEntries carrying one of these entries carry its context too,
 * retransmissions included; an index is dropped once every follower's match passed it, and all of them
 * go with the leader role (this object belongs to it).
 *
 * Tracing is best effort and must never cost correctness or unbounded memory: beyond `capacity` the
 * oldest context is forgotten (a follower that stays down would otherwise hold every traced entry
 * forever and leave none for new proposals), and a context that is not 26 bytes is ignored rather
 * than handed to a codec that would refuse to encode the message carrying it.
 */
export class TracedEntries {
  private traces: EntryTrace[] = [];

  constructor(private readonly capacity = MAX_TRACED_ENTRIES) {}

  get size(): number {
    return this.traces.length;
  }

  add(index: number, context: Uint8Array): void {
    if (context.length !== TRACE_CONTEXT_BYTES) return;
    const last = this.traces[this.traces.length - 1];
    if (last !== undefined && last.index >= index) return;
    this.traces.push({ index, context });
    if (this.traces.length > this.capacity) this.traces.shift();
  }

  /** The traces of entries `first` to `last` (inclusive), or undefined when none is traced. */
  within(first: number, last: number): EntryTrace[] | undefined {
    const traces = this.traces;
    if (traces.length === 0) return undefined;
    // Lower bound: the first trace at or after `first`.
    let low = 0;
    let high = traces.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (traces[middle]!.index < first) low = middle + 1;
      else high = middle;
    }
    let end = low;
    while (end < traces.length && traces[end]!.index <= last) end++;
    return end === low ? undefined : traces.slice(low, end);
  }

  /** Forget every trace at or below `index` (every follower holds those entries). */
  pruneThrough(index: number): void {
    let count = 0;
    while (count < this.traces.length && this.traces[count]!.index <= index) count++;
    if (count > 0) this.traces.splice(0, count);
  }
}
