import type { ClusterConfig, Entry, HardState, NodeId, Role } from './types.js';

/** How a leader sees one follower's replication (Raft §5.3, etcd's progress states). */
export interface ProgressStatus {
  /** Highest index known replicated on the follower. */
  readonly match: number;
  /** Next index to send. */
  readonly next: number;
  /** probe: one message at a time until the match is found; replicate: pipelined; snapshot: catching up. */
  readonly state: 'probe' | 'replicate' | 'snapshot';
  /** Heard from within the current CheckQuorum window. */
  readonly recentActive: boolean;
}

/** A node's view of itself, for operators and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly config: ClusterConfig;
  /** Only on a leader: one entry per other member. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus>;
  /** The node a leadership transfer is under way to, or ''. */
  readonly transferee: NodeId;
}

/** The engine's whole log and durable state, for invariant checkers. Read-only views; do not keep. */
export interface RaftInspection {
  readonly status: RaftStatus;
  readonly hardState: HardState;
  /** Index of the first entry in `entries` (snapshot index + 1). */
  readonly firstIndex: number;
  /** Every uncompacted entry, persisted or not. */
  readonly entries: readonly Entry[];
  /** Entries up to this index are persisted locally. */
  readonly persistedIndex: number;
}
