import type { Message } from './messages.js';
import type { ClusterConfig, Entry, HardState, NodeId, Role } from './types.js';

/** Volatile state worth telling the application about when it changes. */
export interface SoftState {
  readonly role: Role;
  readonly leader: NodeId;
  readonly term: number;
}

/** A read that became safe: serve it once the state machine has applied `index` (thesis §6.4). */
export interface ReadState {
  readonly requestId: number;
  readonly index: number;
}

/**
 * Why the engine refused or lost a request. Maps onto the driver's typed errors.
 * `config-in-progress`: another configuration change is not finished (one at a time);
 * `invalid-config`: the requested configuration cannot work (no voters, duplicates, empty ids).
 */
export type RejectReason =
  | 'not-leader'
  | 'dropped'
  | 'transferring'
  | 'config-in-progress'
  | 'invalid-config';

/** A read the engine could not serve. */
export interface ReadFailure {
  readonly requestId: number;
  readonly reason: RejectReason;
  readonly leaderHint: NodeId;
}

/**
 * What became of a proposal: it landed at (`index`, `term`) in some leader's log (its result arrives
 * when this node applies that index, if the entry there still has that term), or it was refused.
 */
export type ProposalOutcome =
  | { readonly proposalId: number; readonly accepted: true; readonly index: number; readonly term: number }
  | {
      readonly proposalId: number;
      readonly accepted: false;
      readonly reason: RejectReason;
      readonly leaderHint: NodeId;
    };

/**
 * A follower needs entries this leader compacted: stream it the latest snapshot (Raft §7) and report
 * the outcome with {@link Raft.reportSnapshot}.
 */
export interface SnapshotRequest {
  readonly to: NodeId;
  /** Index of the snapshot the engine knows; the driver sends the store's latest, which may be newer. */
  readonly index: number;
}

/**
 * One batch of work for the driver. The driver must carry it out in this order:
 * 1. send `messages` (they promise nothing about local durable state; a leader's appends go out while
 *    its own write is in flight, Raft thesis §10.2.1);
 * 2. persist `hardState` (if set) and `entries` in one atomic, durable write; entries replace any
 *    persisted entries at the same or higher indices. When `mustSync` is false only the commit index
 *    changed, and the write may be skipped or deferred (carry the hard state in a later write);
 * 3. only then send `persistedMessages` (votes and append acknowledgements depend on that write);
 * 4. apply `committedEntries` in order, serve `readStates` once applied, settle `proposalOutcomes`.
 *    This may overlap step 2: a committed entry is durable on a quorum and never changes, so it may be
 *    applied before this node's own write of it completes (Raft thesis §10.2.1). Committed entries
 *    are only ever ones already handed to storage, by this batch or an earlier one;
 * 5. call {@link Raft.advance} with this batch, once both the write and the applying are done.
 * The driver must not call `ready()` again before `advance()`. While step 2 is in flight it may take
 * entries that commit meanwhile with {@link Raft.takeCommittedEntries} and apply them at once (after
 * this batch's `committedEntries`), reporting them with {@link Raft.appliedTo}: on a leader these are
 * typically this very batch's entries, acknowledged by followers whose disks were faster than its own.
 * No entry is handed out twice. A state machine rebuilt from storage on restart (snapshot, then the
 * log) is unaffected by applying ahead of the local write; one that keeps its own durable record of
 * what it applied must tolerate that record being ahead of this node's log after a crash.
 */
export interface Ready {
  readonly softState: SoftState | undefined;
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  /**
   * Whether step 2 must be durable before the batch counts: true when it holds entries or a new term or
   * vote. False when only the commit index changed: a node that loses it in a crash learns it again
   * from the leader (commitIndex is volatile state, Raft Figure 2), so nothing need wait for the disk.
   * Like etcd raft's MustSync.
   */
  readonly mustSync: boolean;
  readonly messages: readonly Message[];
  readonly persistedMessages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly readFailures: readonly ReadFailure[];
  readonly proposalOutcomes: readonly ProposalOutcome[];
  /** Set when the configuration in force changed (it takes effect when appended). */
  readonly config: ClusterConfig | undefined;
  /** Followers to send a snapshot to (leader only); start these transfers, in any order. */
  readonly snapshotRequests: readonly SnapshotRequest[];
}
