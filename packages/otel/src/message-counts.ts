import type { Attributes } from '@opentelemetry/api';
import type { MessageType, NodeId } from '@raft/core';
import { RAFT_ATTRIBUTES } from './raft-semantic-conventions.js';

/** A slot per message type; the Record type makes the compiler insist every type has one. */
const TYPE_SLOTS: Readonly<Record<MessageType, number>> = {
  AppendEntries: 0,
  AppendEntriesResponse: 1,
  RequestVote: 2,
  RequestVoteResponse: 3,
  Heartbeat: 4,
  HeartbeatResponse: 5,
  TimeoutNow: 6,
  ReadIndex: 7,
  ReadIndexResponse: 8,
  Propose: 9,
  ProposeResponse: 10,
};
const TYPES = Object.keys(TYPE_SLOTS) as MessageType[];

interface PeerCounts {
  readonly counts: Float64Array;
  /** Built once per (peer, type, extra) and reused at every collection. */
  readonly attributes: Attributes[];
}

/**
 * Cumulative message counts by (peer, type, optional extra attribute value), kept as plain numbers.
 * Counting is a map lookup and an increment on the node's loop; the SDK only sees the totals when a
 * reader collects (observable counters), so per-message cost does not depend on the SDK.
 */
export class MessageCounts {
  private readonly peers = new Map<string, PeerCounts>();

  constructor(
    private readonly base: Attributes,
    /** An extra attribute key (e.g. the drop reason) whose value is part of the series key. */
    private readonly extraKey?: string,
  ) {}

  add(type: MessageType, peer: NodeId, extra?: string): void {
    const key = extra === undefined ? peer : `${peer}\u0000${extra}`;
    let entry = this.peers.get(key);
    if (entry === undefined) {
      entry = this.create(peer, extra);
      this.peers.set(key, entry);
    }
    entry.counts[TYPE_SLOTS[type]]! += 1;
  }

  /** Calls `report` for every series counted so far (zero series are skipped). */
  each(report: (value: number, attributes: Attributes) => void): void {
    for (const entry of this.peers.values()) {
      for (let slot = 0; slot < TYPES.length; slot++) {
        const value = entry.counts[slot]!;
        if (value > 0) report(value, entry.attributes[slot]!);
      }
    }
  }

  private create(peer: NodeId, extra: string | undefined): PeerCounts {
    const attributes = TYPES.map((type) => {
      const series: Attributes = {
        ...this.base,
        [RAFT_ATTRIBUTES.messageType]: type,
        [RAFT_ATTRIBUTES.peerId]: peer,
      };
      if (this.extraKey !== undefined && extra !== undefined) series[this.extraKey] = extra;
      return series;
    });
    return { counts: new Float64Array(TYPES.length), attributes };
  }
}
