/** A node's identity in the cluster. Stable across restarts; never reused for another node. */
export type NodeId = string;

/** The id that means "nobody": no vote cast, no leader known. */
export const NO_NODE: NodeId = '';

/**
 * What an entry carries.
 * - `normal`: application data for the state machine (an empty payload is the leader's no-op).
 * - `config`: an encoded {@link ClusterConfig}; takes effect when appended (Raft thesis §4.1).
 */
export type EntryType = 'normal' | 'config';

/** One log entry. `index` starts at 1; `term` is the leader's term when it was created. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The state every node persists before it answers a message that depends on it (Raft Figure 2). */
export interface HardState {
  /** Latest term this node has seen. */
  readonly term: number;
  /** Candidate voted for in `term`, or {@link NO_NODE}. */
  readonly vote: NodeId;
  /** Highest index known committed. Persisting it is an optimisation (faster apply on restart). */
  readonly commit: number;
}

/**
 * Cluster membership. Quorums are computed from this object: a majority of `voters`, and while a joint
 * configuration is in force (`outgoingVoters` not empty) a majority of both sets (Raft thesis §4.3).
 * Learners receive entries but never vote and never count toward commit.
 */
export interface ClusterConfig {
  readonly voters: readonly NodeId[];
  /** The previous voters while the configuration is joint; empty otherwise. */
  readonly outgoingVoters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /**
   * Where members can be reached (transport-specific, e.g. `ws://10.0.0.4:7001`), replicated with the
   * configuration so every node's transport learns new members' addresses. Optional per member.
   */
  readonly addresses?: Readonly<Record<NodeId, string>>;
}

/** A place in the log: an entry's index and term. */
export interface LogPosition {
  readonly index: number;
  readonly term: number;
}

/** Describes a snapshot: the state machine's state up to and including `index`. */
export interface SnapshotMeta {
  /** Last log index the snapshot covers. */
  readonly index: number;
  /** Term of the entry at `index`. */
  readonly term: number;
  /** The configuration in force at `index`. */
  readonly config: ClusterConfig;
}

/** The roles a node moves between (Raft §5.1, PreVote from thesis §9.6). */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Source of randomness for election timeouts; inject a seeded one for deterministic runs. */
export type RandomSource = () => number;
