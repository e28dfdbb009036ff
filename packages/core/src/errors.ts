import type { NodeId } from './engine/types.js';

/** Stable codes of every error the driver raises. Assert on these, never on messages. */
export type RaftErrorCode =
  | 'RAFT_NOT_LEADER'
  | 'RAFT_PROPOSAL_DROPPED'
  | 'RAFT_TIMEOUT'
  | 'RAFT_STOPPED'
  | 'RAFT_DECODE'
  | 'RAFT_CONFIG_CHANGE_IN_PROGRESS'
  | 'RAFT_INVALID_CONFIG'
  | 'RAFT_NODE_REMOVED';

/** Base class of the toolkit's errors; `code` is stable across versions. */
export abstract class RaftError extends Error {
  abstract readonly code: RaftErrorCode;
}

/** This node cannot take the request. `leaderHint` is the leader it knows of, or '' if none. */
export class NotLeaderError extends RaftError {
  readonly code = 'RAFT_NOT_LEADER';
  override readonly name = 'NotLeaderError';
  constructor(readonly leaderHint: NodeId) {
    super(leaderHint === '' ? 'no leader is known' : `not the leader; the leader is ${leaderHint}`);
  }
}

/**
 * The proposal was not committed: the leader refused it (for example during a leadership transfer) or
 * lost its place in the log to another leader's entry. Safe to retry.
 */
export class ProposalDroppedError extends RaftError {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  override readonly name = 'ProposalDroppedError';
}

/** The deadline passed. For a write the outcome is unknown: it may still commit. */
export class TimeoutError extends RaftError {
  readonly code = 'RAFT_TIMEOUT';
  override readonly name = 'TimeoutError';
}

/** The node was stopped before the request completed. */
export class StoppedError extends RaftError {
  readonly code = 'RAFT_STOPPED';
  override readonly name = 'StoppedError';
}

/** Another membership change is not finished yet; one change at a time. Retry once it is. */
export class ConfigChangeInProgressError extends RaftError {
  readonly code = 'RAFT_CONFIG_CHANGE_IN_PROGRESS';
  override readonly name = 'ConfigChangeInProgressError';
}

/** The requested configuration cannot work: no voters, a duplicate member, an empty id, or joint. */
export class InvalidConfigError extends RaftError {
  readonly code = 'RAFT_INVALID_CONFIG';
  override readonly name = 'InvalidConfigError';
}

/**
 * This node's storage says it was removed from the cluster (the last committed configuration it holds
 * does not name it). It refuses to start under that id: add it again from the cluster first, or start
 * it with empty storage to join as a new member.
 */
export class NodeRemovedError extends RaftError {
  readonly code = 'RAFT_NODE_REMOVED';
  override readonly name = 'NodeRemovedError';
}

/** Bytes that are not a valid frame of the codec. Thrown by decoders only, never anything else. */
export class DecodeError extends RaftError {
  readonly code = 'RAFT_DECODE';
  override readonly name = 'DecodeError';
}
