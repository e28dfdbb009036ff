import type { Attributes } from '@opentelemetry/api';
import type { Message, MessageType, NodeId } from '@raft/core';
import { RAFT_ATTRIBUTES } from './raft-semantic-conventions.js';

/**
 * Slots of the message types counted several times per proposal, by a switch (cheaper than a map
 * lookup on this path); every other type gets a slot on first sight, shared by every counter in the
 * process, so a message type core adds later is counted like the others (no table to keep exhaustive).
 */
const slotTypes: MessageType[] = ['AppendEntries', 'AppendEntriesResponse', 'Heartbeat', 'HeartbeatResponse'];
const typeSlots = new Map<MessageType, number>(slotTypes.map((type, slot) => [type, slot]));

function slotOf(type: MessageType): number {
  switch (type) {
    case 'AppendEntries':
      return 0;
    case 'AppendEntriesResponse':
      return 1;
    case 'Heartbeat':
      return 2;
    case 'HeartbeatResponse':
      return 3;
    default:
      return otherSlot(type);
  }
}

function otherSlot(type: MessageType): number {
  let slot = typeSlots.get(type);
  if (slot === undefined) {
    slot = slotTypes.length;
    typeSlots.set(type, slot);
    slotTypes.push(type);
  }
  return slot;
}

function increment(counts: number[], slot: number): void {
  // Holes would make the array slow: extend with zeros up to the new slot.
  while (counts.length <= slot) counts.push(0);
  counts[slot]! += 1;
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
  /** A short list (one entry per peer, or per peer and reason): a scan beats hashing the id. */
  private readonly peers: PeerCounts[] = [];

  constructor(
    private readonly base: Attributes,
    /** An extra attribute key (e.g. the drop reason) whose value is part of the series key. */
    private readonly extraKey?: string,
  ) {}

  add(type: MessageType, peer: NodeId, extra?: string): void {
    increment(this.lookup(peer, extra).counts, slotOf(type));
  }

  /**
   * Counts every message of a batch under its type and its `to` (outbound) or `from` (inbound) peer.
   * Consecutive messages to one peer (a burst of responses, a batch of heartbeats) share one lookup.
   */
  addAll(messages: readonly Message[], peerField: 'to' | 'from'): void {
    let peer: NodeId | undefined;
    let counts: number[] = [];
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const messagePeer = peerField === 'to' ? message.to : message.from;
      if (messagePeer !== peer) {
        peer = messagePeer;
        counts = this.lookup(peer, undefined).counts;
      }
      increment(counts, slotOf(message.type));
    }
  }

  /** Calls `report` for every series counted so far (zero series are skipped). */
  each(report: (value: number, attributes: Attributes) => void): void {
    for (const entry of this.peers) {
      const counts = entry.counts;
      for (let slot = 0; slot < counts.length; slot++) {
        const value = counts[slot]!;
        if (value > 0) report(value, this.attributesOf(entry, slot));
      }
    }
  }

  private lookup(peer: NodeId, extra: string | undefined): PeerCounts {
    const peers = this.peers;
    for (let i = 0; i < peers.length; i++) {
      const entry = peers[i]!;
      if (entry.peer === peer && entry.extra === extra) return entry;
    }
    // Sized for the four hot types up front, so counting them never grows the array.
    const entry: PeerCounts = { peer, extra, counts: [0, 0, 0, 0], attributes: [] };
    peers.push(entry);
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
