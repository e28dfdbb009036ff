import type { NodeId } from './engine/types.js';

/** Stable codes of every error the driver raises. Assert on these, never on messages. */
export type RaftErrorCode =
  | 'RAFT_NOT_LEADER'
  | 'RAFT_PROPOSAL_DROPPED'
  | 'RAFT_TIMEOUT'
  | 'RAFT_STOPPED'
  | 'RAFT_DECODE';

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

/** Bytes that are not a valid frame of the codec. Thrown by decoders only, never anything else. */
export class DecodeError extends RaftError {
  readonly code = 'RAFT_DECODE';
  override readonly name = 'DecodeError';
}
