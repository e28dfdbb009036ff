import type { NodeId } from './types.js';

const SENT_ROUNDS_KEPT = 64;

/** A read waiting for its leadership confirmation round. */
export interface PendingRead {
  /** Who asked: this node or a follower that forwarded the read. */
  readonly from: NodeId;
  readonly requestId: number;
  /** The commit index when the read arrived: serving at or after it is linearizable (thesis §6.4). */
  readonly index: number;
  /** The heartbeat round that must be acknowledged by a quorum before the read is safe. */
  readonly round: number;
}

/**
 * ReadIndex bookkeeping on a leader. Every heartbeat broadcast is a numbered round; followers echo the
 * round; a read is safe once a quorum acknowledged a round sent after the read arrived, which proves no
 * newer leader existed when the read arrived. Rounds batch every read that arrived before them.
 */
export class ReadIndexQueue {
  private reads: PendingRead[] = [];
  /** The round of the last heartbeat broadcast. */
  round = 0;
  /** Leader tick at which each recent round was sent (for lease reads). */
  private readonly sentAt = new Map<number, number>();
  /** Highest round each voter acknowledged. */
  private readonly acked = new Map<NodeId, number>();
  /** A read is waiting for a round that has not been broadcast yet. */
  broadcastWanted = false;

  /** Queue a read; it needs the next round. */
  add(from: NodeId, requestId: number, index: number): void {
    this.reads.push({ from, requestId, index, round: this.round + 1 });
    this.broadcastWanted = true;
  }

  /** Start a new round (a heartbeat broadcast) at leader tick `tick`; returns its number. */
  nextRound(tick: number): number {
    this.round++;
    this.sentAt.set(this.round, tick);
    // Lease reads only need recent rounds; an older quorum round means the lease is gone anyway.
    this.sentAt.delete(this.round - SENT_ROUNDS_KEPT);
    this.broadcastWanted = false;
    return this.round;
  }

  acknowledge(from: NodeId, round: number): void {
    if (round > (this.acked.get(from) ?? 0)) this.acked.set(from, round);
  }

  /** Highest round `id` acknowledged (the leader itself has acknowledged every round it sent). */
  ackedRound(id: NodeId, self: NodeId): number {
    return id === self ? this.round : (this.acked.get(id) ?? 0);
  }

  /** Remove and return the reads whose round is at or below `quorumRound`, in arrival order. */
  release(quorumRound: number): PendingRead[] {
    let count = 0;
    while (count < this.reads.length && this.reads[count]!.round <= quorumRound) count++;
    if (count === 0) return [];
    const released = this.reads.slice(0, count);
    this.reads = this.reads.slice(count);
    return released;
  }

  /** Leader tick at which `round` was sent, if still remembered. */
  sentTick(round: number): number | undefined {
    return this.sentAt.get(round);
  }

  /** Remove every pending read (the leader stepped down). */
  drain(): PendingRead[] {
    const all = this.reads;
    this.reads = [];
    return all;
  }
}
