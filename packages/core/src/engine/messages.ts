import type { Entry, NodeId, SnapshotMeta } from './types.js';

/** Fields every message carries. `term` is the sender's current term (Raft §5.1). */
interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Bytes of a trace context: W3C Trace Context in binary form (version, trace id, span id, flags). */
export const TRACE_CONTEXT_BYTES = 26;

/**
 * The trace context of one entry in flight: `context` is opaque to the engine (26 bytes, see
 * {@link TRACE_CONTEXT_BYTES}), set by the node that proposed the entry (`RaftNodeOptions.traceContext`).
 * It is not part of the entry: never persisted, never applied, dropped by the leader once every
 * follower holds the entry.
 */
export interface EntryTrace {
  readonly index: number;
  readonly context: Uint8Array;
}

/**
 * Leader to follower: append `entries` after (`prevLogIndex`, `prevLogTerm`) and advance the commit
 * index to at most `leaderCommit` (Raft §5.3). Empty `entries` is a probe.
 */
export interface AppendEntries extends Envelope {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
  /**
   * Trace contexts of the traced entries among `entries`, in ascending index order; absent (never
   * empty) when none is traced, which is always the case unless a node sets
   * `RaftNodeOptions.traceContext`. A message with traces is encoded as codec version 2.
   */
  readonly traces?: readonly EntryTrace[];
}

/**
 * Follower to leader. On success `matchIndex` is the last index the follower now holds from this
 * leader. On rejection, `rejectedIndex` echoes the `prevLogIndex` that did not match and the hint
 * (`hintIndex`, `hintTerm`) lets the leader skip a whole term of conflicting entries at once.
 */
export interface AppendEntriesResponse extends Envelope {
  readonly type: 'AppendEntriesResponse';
  readonly success: boolean;
  readonly matchIndex: number;
  readonly rejectedIndex: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/**
 * Candidate (or pre-candidate when `preVote`) asking for a vote. For a pre-vote, `term` is the term the
 * sender would campaign in, not its current term. `transfer` marks a campaign started by TimeoutNow,
 * which may bypass the leader lease (thesis §3.10, §4.2.3).
 */
export interface RequestVote extends Envelope {
  readonly type: 'RequestVote';
  readonly preVote: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly transfer: boolean;
}

export interface RequestVoteResponse extends Envelope {
  readonly type: 'RequestVoteResponse';
  readonly preVote: boolean;
  readonly granted: boolean;
}

/**
 * Leader keep-alive. `commit` is min(follower's match, leader commit) so it never points past what the
 * follower is known to hold. `readSeq` names the latest ReadIndex round this heartbeat confirms.
 */
export interface Heartbeat extends Envelope {
  readonly type: 'Heartbeat';
  readonly commit: number;
  readonly readSeq: number;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'HeartbeatResponse';
  readonly readSeq: number;
}

/** Leader to its chosen successor: start an election now (thesis §3.10). */
export interface TimeoutNow extends Envelope {
  readonly type: 'TimeoutNow';
}

/** Follower to leader: a read needs a linearizable read index (thesis §6.4). */
export interface ReadIndexRequest extends Envelope {
  readonly type: 'ReadIndex';
  readonly requestId: number;
}

/** Leader to follower: the read may be served once the follower has applied `index`; 0 = rejected. */
export interface ReadIndexResponse extends Envelope {
  readonly type: 'ReadIndexResponse';
  readonly requestId: number;
  readonly index: number;
}

/** Follower to leader: a proposal forwarded on behalf of a local client. */
export interface Propose extends Envelope {
  readonly type: 'Propose';
  readonly proposalId: number;
  readonly data: Uint8Array;
  /**
   * The proposal's trace context ({@link TRACE_CONTEXT_BYTES} bytes), so the leader keeps tracing a
   * proposal made on a follower; absent for untraced proposals. Encoded as codec version 2.
   */
  readonly trace?: Uint8Array;
}

/**
 * Leader to follower: where a forwarded proposal landed (`index`, `term`), or `index` 0 when the leader
 * dropped it. The follower's client learns its result when the follower applies that entry.
 */
export interface ProposeResponse extends Envelope {
  readonly type: 'ProposeResponse';
  readonly proposalId: number;
  readonly index: number;
  readonly entryTerm: number;
}

/**
 * Leader to follower: one chunk of a snapshot (Raft §7), for a follower that needs entries the leader
 * has compacted. Chunks of one transfer share `transferId` and follow each other by `offset` (bytes);
 * the last one has `done` set (and may be empty). The node's driver streams them from storage with a
 * bounded window of unacknowledged chunks; the engine only checks the term and the leader.
 */
export interface InstallSnapshot extends Envelope {
  readonly type: 'InstallSnapshot';
  readonly meta: SnapshotMeta;
  readonly transferId: number;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
}

/** How a follower's side of a snapshot transfer stands. */
export type SnapshotTransferStatus = 'receiving' | 'installed' | 'refused';

/**
 * Follower to leader, for each InstallSnapshot chunk: `received` is how many bytes of the transfer it
 * holds, contiguously from the start. `installed` once the snapshot is in place; `refused` when the
 * follower cannot continue this transfer (it restarted, or a newer one replaced it): start over.
 */
export interface InstallSnapshotResponse extends Envelope {
  readonly type: 'InstallSnapshotResponse';
  readonly transferId: number;
  readonly snapshotIndex: number;
  readonly received: number;
  readonly status: SnapshotTransferStatus;
}

/** Every message the engine sends or receives. Discriminated by `type`. */
export type Message =
  | AppendEntries
  | AppendEntriesResponse
  | RequestVote
  | RequestVoteResponse
  | Heartbeat
  | HeartbeatResponse
  | TimeoutNow
  | ReadIndexRequest
  | ReadIndexResponse
  | Propose
  | ProposeResponse
  | InstallSnapshot
  | InstallSnapshotResponse;

export type MessageType = Message['type'];

/** All message type names, in codec tag order. Never reorder: the position is on the wire. */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'AppendEntries',
  'AppendEntriesResponse',
  'RequestVote',
  'RequestVoteResponse',
  'Heartbeat',
  'HeartbeatResponse',
  'TimeoutNow',
  'ReadIndex',
  'ReadIndexResponse',
  'Propose',
  'ProposeResponse',
  'InstallSnapshot',
  'InstallSnapshotResponse',
];
