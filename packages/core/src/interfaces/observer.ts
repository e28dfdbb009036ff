import type { Message, MessageType } from '../engine/messages.js';
import type { ProgressStatus } from '../engine/status.js';
import type { NodeId, Role } from '../engine/types.js';
import type { StoppedError } from '../errors.js';

// Every event is a small plain object built only when an observer is attached: the driver checks
// `observer === undefined` before computing anything for an event. Durations are in milliseconds of the
// node's clock (virtual under the simulator). Events carry references, never copies: an observer must
// treat everything it receives as read-only and must not keep the messages or arrays an event holds
// beyond the call. What happens per message or per proposal under load is reported in batches, one
// event per batch, so an observer's cost does not grow with an event per item.

/** The node loaded its storage and is about to take part in the cluster. Emitted once per start. */
export interface NodeStartedEvent {
  readonly type: 'node-started';
  readonly role: Role;
  readonly term: number;
  /** The leader this node knows of, or '' (none yet, the usual case right after start). */
  readonly leader: NodeId;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
}

/**
 * The node's role, term or known leader changed (any of the three). An election starts when the role
 * becomes `pre-candidate` (PreVote round, term unchanged) or `candidate` (new term); it is won when the
 * role becomes `leader`.
 */
export interface RoleChangedEvent {
  readonly type: 'role-changed';
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId;
}

/** The commit index advanced (this node learned that entries up to `index` are committed). */
export interface CommittedEvent {
  readonly type: 'committed';
  readonly index: number;
}

/** The state machine applied `entries` entries, up to `index`, in `durationMs`. */
export interface AppliedEvent {
  readonly type: 'applied';
  readonly index: number;
  readonly entries: number;
  readonly durationMs: number;
}

/** One durable storage write (one Ready batch): `entries` entries carrying `bytes` payload bytes. */
export interface PersistedEvent {
  readonly type: 'persisted';
  readonly entries: number;
  /** Sum of the entries' payload sizes (not the storage's encoded size). */
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * The driver handed `messages` to the transport in one `send` call (which may still drop some). One
 * event per call, not per message: a batch's heartbeats, appends and responses arrive together.
 */
export interface MessagesSentEvent {
  readonly type: 'messages-sent';
  /** In the order sent, each with its `type` and `to` (read-only, do not keep: span attributes such as the entries carried). */
  readonly messages: readonly Message[];
}

/**
 * The transport delivered `messages` to this running node, in order of delivery. Reported together: one
 * microtask after the first of them arrived, or sooner, before any other event of this node (so before
 * the messages it sends and the batch it carries out in reaction to them). A leader under load receives
 * hundreds of responses between two of its batches; one event per message cost more than the counting.
 */
export interface MessagesReceivedEvent {
  readonly type: 'messages-received';
  /** Each with its `type` and `from` (read-only, do not keep). */
  readonly messages: readonly Message[];
}

/** Why a transport dropped an outbound message. */
export type MessageDropReason =
  /** No address, no connection, or the link is down. */
  | 'unreachable'
  /** A send queue or buffer limit was reached (back-pressure). */
  | 'overflow'
  /** The transport was stopped. */
  | 'stopped'
  /** Deliberately dropped by a fault injector (tests, chaos). */
  | 'injected'
  /** Encoding or socket error. */
  | 'error';

/**
 * A transport dropped an outbound message. The driver never emits this: transports report it through
 * the same {@link Observer} type (for example an `observer` option), so one observer sees both.
 */
export interface MessageDroppedEvent {
  readonly type: 'message-dropped';
  readonly messageType: MessageType;
  readonly to: NodeId;
  readonly reason: MessageDropReason;
}

/** `propose()` accepted a request from the caller (emitted synchronously, in the caller's context). */
export interface ProposalStartedEvent {
  readonly type: 'proposal-started';
  /** Unique per node instance; links this proposal to its records in later batch events. */
  readonly proposalId: number;
  /** Payload size. */
  readonly bytes: number;
  /** `clock.now()` when `propose()` was called (the node's clock; virtual under the simulator). */
  readonly startedAt: number;
}

/** One proposal, as the batch events report it (read-only, do not keep). */
export interface ProposalRecord {
  /** The `proposalId` of its `proposal-started` event. */
  readonly proposalId: number;
  /** Where the entry landed in the log, or 0 if the engine never placed it. */
  readonly index: number;
  /** The term it landed in, or 0 if the engine never placed it. */
  readonly term: number;
  /** `clock.now()` when `propose()` was called. */
  readonly startedAt: number;
}

/**
 * Proposals that landed in the leader's log (each at its `index` and `term`); they still have to
 * commit and apply. One event per batch the node carries out, in log order, not one per proposal.
 */
export interface ProposalsAcceptedEvent {
  readonly type: 'proposals-accepted';
  readonly proposals: readonly ProposalRecord[];
}

/**
 * Why a proposal settled the way it did.
 * - `applied`: this node applied it (outcome `applied`);
 * - `not-leader`, `dropped`, `transferring`, `config-in-progress`, `invalid-config`: the engine refused it, `replaced`: another leader's entry
 *   overwrote it (outcome `rejected`: certainly not applied, safe to retry);
 * - `timeout`, `aborted`, `stopped`, `untracked`: the caller gave up or the node stopped before the outcome was
 *   known, or the entry was applied before its outcome arrived (outcome `failed`: it may or may not apply).
 */
export type ProposalSettleReason =
  | 'applied'
  | 'not-leader'
  | 'dropped'
  | 'transferring'
  | 'config-in-progress'
  | 'invalid-config'
  | 'replaced'
  | 'timeout'
  | 'aborted'
  | 'stopped'
  | 'untracked';

/**
 * Proposals whose promises settled together, all with the same outcome and reason: the proposals one
 * apply call answered, one refused, all those pending when the node stopped, one that timed out. Each
 * one's time from `propose()` is `settledAt - proposal.startedAt`.
 */
export interface ProposalsSettledEvent {
  readonly type: 'proposals-settled';
  readonly outcome: 'applied' | 'rejected' | 'failed';
  readonly reason: ProposalSettleReason;
  /** `clock.now()` when they settled. */
  readonly settledAt: number;
  /** At least one; `index` and `term` are 0 for a proposal the engine never placed. */
  readonly proposals: readonly ProposalRecord[];
}

/** A linearizable read (ReadIndex) settled, `durationMs` after `read()` was called. */
export interface ReadSettledEvent {
  readonly type: 'read-settled';
  readonly outcome: 'served' | 'rejected';
  readonly durationMs: number;
}

/**
 * The leader's view of replication, sampled once per tick on a leader (not per batch: a level read by
 * metrics every few seconds gains nothing from finer sampling, and the engine's status is built only then).
 * A follower's lag is `lastIndex - progress.get(follower).match`.
 */
export interface ReplicationProgressEvent {
  readonly type: 'replication-progress';
  readonly term: number;
  readonly lastIndex: number;
  readonly commitIndex: number;
  /** One entry per other member (voters and learners). Read-only, do not keep. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus>;
}

/** This node saved a snapshot of its state machine (and compacted its log behind it). */
export interface SnapshotCreatedEvent {
  readonly type: 'snapshot-created';
  /** Last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** Size of the snapshot's data. */
  readonly bytes: number;
  /** From capturing the state to the snapshot being saved. */
  readonly durationMs: number;
}

/** This node installed a snapshot received from the leader and restored its state machine from it. */
export interface SnapshotInstalledEvent {
  readonly type: 'snapshot-installed';
  readonly index: number;
  readonly term: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * The node failed for good: its state machine, storage or engine threw. `error` is the StoppedError
 * every pending request was rejected with; its `cause` is the original error. A `node-stopped` follows.
 */
export interface NodeFailedEvent {
  readonly type: 'node-failed';
  readonly error: StoppedError;
}

/** The node stopped (after `stop()` or a failure); it emits nothing more. */
export interface NodeStoppedEvent {
  readonly type: 'node-stopped';
  readonly failed: boolean;
}

/** Typed events from a running node. Subscribe with an {@link Observer}; nothing is computed without one. */
export type RaftEvent =
  | NodeStartedEvent
  | RoleChangedEvent
  | CommittedEvent
  | AppliedEvent
  | PersistedEvent
  | MessagesSentEvent
  | MessagesReceivedEvent
  | MessageDroppedEvent
  | ProposalStartedEvent
  | ProposalsAcceptedEvent
  | ProposalsSettledEvent
  | ReadSettledEvent
  | ReplicationProgressEvent
  | SnapshotCreatedEvent
  | SnapshotInstalledEvent
  | NodeFailedEvent
  | NodeStoppedEvent;

/**
 * Receives every {@link RaftEvent}. Must not throw; keep it cheap (it runs on the node's loop). New event
 * kinds may be added in minor versions: ignore types you do not know.
 *
 * The function may carry {@link ObserverHints}, which let the node skip building events the observer
 * has no use for (a plain function receives everything).
 */
export type Observer = ((event: RaftEvent) => void) & ObserverHints;

/** Optional properties of an {@link Observer} function. */
export interface ObserverHints {
  /**
   * Asked synchronously in every `propose()`, in the caller's context, with the proposal's id and
   * `startedAt` (the fields its `proposal-started` event would carry), before that event is built:
   * return `false` to skip the event for this proposal. It is the only event built once per proposal,
   * so under load it is most of what an observer costs; `@raft/otel` asks for it only for proposals
   * it will trace. The proposal's batch events (`proposals-accepted`, `proposals-settled`) come
   * either way, with the same `proposalId`. Absent: every proposal is reported.
   */
  readonly wantsProposalStarted?: (proposalId: number, startedAt: number) => boolean;
}
