import type { Message } from './messages.js';
import type { RaftOptions } from './options.js';
import type { Ready } from './ready.js';
import type { RaftInspection, RaftStatus } from './status.js';
import type { ClusterConfig, Entry, HardState, NodeId, SnapshotMeta } from './types.js';

/** What the engine starts from: the node's persisted state. */
export interface RaftInitialState {
  readonly hardState: HardState;
  /** Every persisted entry after the snapshot, in order. */
  readonly entries: readonly Entry[];
  readonly snapshot?: SnapshotMeta | undefined;
  /** Highest index the state machine already reflects (its snapshot's index after a restore). Default 0. */
  readonly applied?: number;
}

/**
 * The Raft protocol as a pure state machine (no IO, no clock, no promises). Feed it inputs, take a
 * {@link Ready}, carry it out, {@link Raft.advance}. Same options, seed and inputs give the same outputs.
 */
export class Raft {
  constructor(options: RaftOptions, initial: RaftInitialState) {
    void options;
    void initial;
    throw new Error('not implemented yet');
  }
  /** Advance logical time by one tick (elections, heartbeats, CheckQuorum, transfer timeouts). */
  tick(): void {}
  /** Handle a message from a peer. Messages for another node or from a stale term are handled per §5.1. */
  step(message: Message): void {
    void message;
  }
  /** Propose application data. The outcome appears in a later Ready's `proposalOutcomes`. */
  propose(proposalId: number, data: Uint8Array): void {
    void proposalId;
    void data;
  }
  /** Propose a new configuration (leader only; full mechanism in the membership work). */
  proposeConfig(proposalId: number, config: ClusterConfig): void {
    void proposalId;
    void config;
  }
  /** Ask for a linearizable read index; the answer appears in `readStates` or `readFailures`. */
  readIndex(requestId: number): void {
    void requestId;
  }
  /** Leader only: hand leadership to `to` (thesis §3.10). */
  transferLeadership(to: NodeId): void {
    void to;
  }
  /** Start an election now (tests and operators); a no-op on a leader or a non-voter. */
  campaign(): void {}
  hasReady(): boolean {
    return false;
  }
  ready(): Ready {
    throw new Error('not implemented yet');
  }
  advance(ready: Ready): void {
    void ready;
  }
  status(): RaftStatus {
    throw new Error('not implemented yet');
  }
  inspect(): RaftInspection {
    throw new Error('not implemented yet');
  }
}
