import type { Attributes } from '@opentelemetry/api';
import type { MessageType, NodeId } from '@raft/core';
import { RAFT_ATTRIBUTES } from './raft-semantic-conventions.js';

/**
 * A slot per message type, handed out on first sight and shared by every counter in the process, so a
 * message type core adds later is counted like the others (no table to keep exhaustive).
 */
const typeSlots = new Map<MessageType, number>();
const slotTypes: MessageType[] = [];

function slotOf(type: MessageType): number {
  let slot = typeSlots.get(type);
  if (slot === undefined) {
    slot = slotTypes.length;
    typeSlots.set(type, slot);
    slotTypes.push(type);
  }
  return slot;
}

/** The counts of one peer (and extra attribute value), by type slot. */
interface PeerCounts {
  readonly peer: NodeId;
  readonly extra: string | undefined;
  readonly counts: number[];
  /** Built on first report per slot and reused at every later collection. */
  readonly attributes: (Attributes | undefined)[];
}

/**
 * Cumulative message counts by (peer, type, optional extra attribute value), kept as plain numbers.
 * Counting is a map lookup and an increment on the node's loop; the SDK only sees the totals when a
 * reader collects (observable counters), so per-message cost does not depend on the SDK.
 */
export class MessageCounts {
  private readonly peers = new Map<string, PeerCounts>();
  /** The series counted last: consecutive messages often go to (or come from) the same peer. */
  private last: PeerCounts | undefined;

  constructor(
    private readonly base: Attributes,
    /** An extra attribute key (e.g. the drop reason) whose value is part of the series key. */
    private readonly extraKey?: string,
  ) {}

  add(type: MessageType, peer: NodeId, extra?: string): void {
    let entry = this.last;
    if (entry === undefined || entry.peer !== peer || entry.extra !== extra) {
      entry = this.lookup(peer, extra);
      this.last = entry;
    }
    const slot = slotOf(type);
    const counts = entry.counts;
    // Holes would make the array slow: extend with zeros up to the new slot.
    while (counts.length <= slot) counts.push(0);
    counts[slot]! += 1;
  }

  /** Calls `report` for every series counted so far (zero series are skipped). */
  each(report: (value: number, attributes: Attributes) => void): void {
    for (const entry of this.peers.values()) {
      const counts = entry.counts;
      for (let slot = 0; slot < counts.length; slot++) {
        const value = counts[slot]!;
        if (value > 0) report(value, this.attributesOf(entry, slot));
      }
    }
  }

  private lookup(peer: NodeId, extra: string | undefined): PeerCounts {
    const key = extra === undefined ? peer : `${peer}\u0000${extra}`;
    let entry = this.peers.get(key);
    if (entry === undefined) {
      entry = { peer, extra, counts: [], attributes: [] };
      this.peers.set(key, entry);
    }
    return entry;
  }

  private attributesOf(entry: PeerCounts, slot: number): Attributes {
    let attributes = entry.attributes[slot];
    if (attributes === undefined) {
      attributes = {
        ...this.base,
        [RAFT_ATTRIBUTES.messageType]: slotTypes[slot]!,
        [RAFT_ATTRIBUTES.peerId]: entry.peer,
      };
      if (this.extraKey !== undefined && entry.extra !== undefined) attributes[this.extraKey] = entry.extra;
      while (entry.attributes.length < slot) entry.attributes.push(undefined);
      entry.attributes[slot] = attributes;
    }
    return attributes;
  }
}
