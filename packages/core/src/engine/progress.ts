import { Inflights } from './inflights.js';

/**
 * The leader's view of one follower's log (Raft §5.3: nextIndex and matchIndex), plus the flow-control
 * state of etcd's design: `probe` sends one message at a time until the follower's match is found,
 * `replicate` pipelines up to a bounded window, `snapshot` waits for a snapshot to land.
 */
export class Progress {
  match = 0;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot' = 'probe';
  /** In probe state: a message was sent and no answer has come yet, so hold further sends. */
  probeSent = false;
  /** The highest commit index sent to the follower in an AppendEntries. */
  sentCommit = 0;
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from the follower since the last CheckQuorum round. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.probeSent = false;
    this.next = this.match + 1;
    this.inflights.reset();
  }

  /** The follower needs entries the leader compacted: wait for the snapshot at `index` to land. */
  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.pendingSnapshot = index;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.next = this.match + 1;
    this.inflights.reset();
  }

  /** True when no further AppendEntries should go out until the follower answers. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** The follower acknowledged everything up to `index`. Returns false for a stale acknowledgement. */
  maybeUpdate(index: number): boolean {
    this.probeSent = false;
    if (index <= this.match) return false;
    this.match = index;
    if (this.next <= index) this.next = index + 1;
    return true;
  }

  /**
   * The follower rejected an append after `rejectedIndex`; `hintIndex` is where the leader expects the
   * logs to agree. Returns false when the rejection is stale (answers a message sent before a newer one).
   */
  maybeDecrease(rejectedIndex: number, hintIndex: number): boolean {
    if (this.state === 'replicate') {
      // Anything at or below match is known to agree; such a rejection answers an old message.
      if (rejectedIndex <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe only one message is outstanding, sent with prevLogIndex = next - 1.
    if (this.next - 1 !== rejectedIndex) return false;
    const next = Math.max(Math.min(rejectedIndex, hintIndex + 1), this.match + 1);
    // A follower that rejects at match + 1 claims to lack entries it acknowledged: only a disk that lost
    // synced data does that. Resending at once would ping-pong at network speed, so stay paused until
    // the next heartbeat answer and probe at that pace.
    if (next === this.next) return false;
    this.next = next;
    this.probeSent = false;
    return true;
  }
}
