import type { NodeId } from '@raft/core';

/** Stable codes of every error this package raises. Assert on these, never on messages. */
export type MembershipErrorCode =
  | 'RAFT_MEMBERSHIP_LAST_VOTER'
  | 'RAFT_MEMBERSHIP_QUORUM_AT_RISK'
  | 'RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT'
  | 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER'
  | 'RAFT_MEMBERSHIP_ALREADY_MEMBER'
  | 'RAFT_MEMBERSHIP_INVALID_ID'
  | 'RAFT_MEMBERSHIP_INVALID_ADDRESS'
  | 'RAFT_MEMBERSHIP_INVALID_TARGET'
  | 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'
  | 'RAFT_MEMBERSHIP_JOIN_REFUSED'
  | 'RAFT_MEMBERSHIP_JOIN_TIMEOUT';

/** Base class of this package's errors; `code` is stable across versions. */
export abstract class MembershipError extends Error {
  abstract readonly code: MembershipErrorCode;
}

/** The change would leave the cluster without any voter. A cluster needs at least one. */
export class LastVoterError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_LAST_VOTER';
  override readonly name = 'LastVoterError';
  constructor(readonly id: NodeId | undefined) {
    super(
      id === undefined
        ? 'the target configuration has no voter'
        : `removing ${id} would leave the cluster without a voter`,
    );
  }
}

/** Which configuration lacked a reachable quorum. */
export type QuorumScope = 'current' | 'target';

/**
 * Too few voters are reachable for the change to commit (or for the cluster to keep committing after
 * it). `reachable` lists the voters that were counted reachable (the leader itself and every voter
 * whose progress is `recentActive`), `voters` the voters of the configuration that failed, `needed`
 * the size of its majority.
 */
export class QuorumAtRiskError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_QUORUM_AT_RISK';
  override readonly name = 'QuorumAtRiskError';
  constructor(
    readonly scope: QuorumScope,
    readonly voters: readonly NodeId[],
    readonly reachable: readonly NodeId[],
    readonly needed: number,
  ) {
    super(
      `only ${reachable.length} of the ${scope} voters [${voters.join(', ')}] are reachable ` +
        `([${reachable.join(', ')}]); a quorum needs ${needed}`,
    );
  }
}

/**
 * A learner did not come within `maxLag` entries of the leader's log before the deadline. `lag` is the
 * last lag seen (the leader's last index minus the learner's match), or undefined if the leader held no
 * progress for it. Nothing was changed: the node is still a learner.
 */
export class CatchUpTimeoutError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT';
  override readonly name = 'CatchUpTimeoutError';
  constructor(
    readonly id: NodeId,
    readonly lag: number | undefined,
    readonly maxLag: number,
    readonly waitedMs: number,
  ) {
    super(
      `${id} did not catch up within ${waitedMs} ms: ` +
        `${lag === undefined ? 'no progress known' : `${lag} entries behind`} (at most ${maxLag} allowed)`,
    );
  }
}

/** The role the operation needed the node to have. */
export type ExpectedRole = 'member' | 'voter' | 'learner';

/** The node is not in the configuration in the role the operation needs. */
export class UnknownMemberError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER';
  override readonly name = 'UnknownMemberError';
  constructor(
    readonly id: NodeId,
    readonly expected: ExpectedRole,
  ) {
    super(`${id} is not a ${expected} of the cluster`);
  }
}

/**
 * The node is already in the configuration (as `role`, reachable at `address`) and the operation
 * would add it again, or under another address.
 */
export class AlreadyMemberError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_ALREADY_MEMBER';
  override readonly name = 'AlreadyMemberError';
  constructor(
    readonly id: NodeId,
    readonly role: 'voter' | 'learner',
    readonly address: string | undefined,
  ) {
    super(`${id} is already a ${role}${address === undefined ? '' : ` at ${address}`}`);
  }
}

/** A node id that cannot be used (see `validateMemberId` for the rules). */
export class InvalidMemberIdError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_INVALID_ID';
  override readonly name = 'InvalidMemberIdError';
}

/** An address that cannot be used (see `validateAddress` for the rules). */
export class InvalidAddressError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_INVALID_ADDRESS';
  override readonly name = 'InvalidAddressError';
}

/** A target configuration that cannot be proposed: joint, a duplicate member, or a voter listed twice. */
export class InvalidTargetError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_INVALID_TARGET';
  override readonly name = 'InvalidTargetError';
}

/** A join request that is not an object with a string `id` and a string `address`. */
export class InvalidJoinRequestError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST';
  override readonly name = 'InvalidJoinRequestError';
}

/**
 * The cluster refused the join for good (retrying cannot help): `reason` is the code the cluster
 * answered with, for example `RAFT_MEMBERSHIP_ALREADY_MEMBER` or `RAFT_MEMBERSHIP_INVALID_ADDRESS`.
 */
export class JoinRefusedError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_JOIN_REFUSED';
  override readonly name = 'JoinRefusedError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`the cluster refused the join (${reason}): ${message}`);
  }
}

/**
 * No contact admitted the node before the deadline. `attempts` is how many requests were sent and
 * `lastFailure` describes the last thing that went wrong (an answer's code or a send error's message).
 */
export class JoinTimeoutError extends MembershipError {
  readonly code = 'RAFT_MEMBERSHIP_JOIN_TIMEOUT';
  override readonly name = 'JoinTimeoutError';
  constructor(
    readonly attempts: number,
    readonly lastFailure: string | undefined,
  ) {
    super(
      `not admitted before the deadline after ${attempts} attempt(s)` +
        (lastFailure === undefined ? '' : `; last: ${lastFailure}`),
    );
  }
}
