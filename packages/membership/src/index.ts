/**
 * @raft/membership: safe cluster membership workflows on top of the core's joint consensus. New nodes
 * join as learners and are promoted only once caught up; replacements swap voters in one joint change;
 * guards refuse a change that would leave too few reachable voters for a quorum; a small transport-
 * agnostic join protocol lets a fresh node ask the cluster to admit it.
 *
 * @example
 * ```ts
 * import { createMembership } from '@raft/membership';
 *
 * const membership = createMembership(leader); // leader: a started RaftNode that leads
 * await membership.addVoter('d', 'ws://10.0.0.4:7001'); // learner, catch up, promote
 * await membership.replaceNode('a', 'e', 'ws://10.0.0.5:7001'); // learner, catch up, one joint swap
 * await membership.removeNode('b');
 * ```
 */
export { checkMembershipChange, majoritySize } from './check-membership-change.js';
export type { ExpectedRole, MembershipErrorCode, QuorumScope } from './errors.js';
export {
  AlreadyMemberError,
  CatchUpTimeoutError,
  InvalidAddressError,
  InvalidJoinRequestError,
  InvalidMemberIdError,
  InvalidTargetError,
  JoinRefusedError,
  JoinTimeoutError,
  LastVoterError,
  MembershipError,
  QuorumAtRiskError,
  UnknownMemberError,
} from './errors.js';
export type { JoinHandler, JoinHandlerOptions } from './join-handler.js';
export { createJoinHandler } from './join-handler.js';
export type {
  FailedResponse,
  JoinedResponse,
  JoinRequest,
  JoinResponse,
  NotLeaderResponse,
} from './join-protocol.js';
export { parseJoinRequest, parseJoinResponse } from './join-protocol.js';
export {
  MAX_ADDRESS_LENGTH,
  MAX_MEMBER_ID_LENGTH,
  validateAddress,
  validateMemberId,
} from './member-validation.js';
export type { Membership } from './membership.js';
export { createMembership } from './membership.js';
export type { MembershipCallOptions, MembershipOptions } from './membership-options.js';
export {
  DEFAULT_CATCH_UP_MAX_LAG_ENTRIES,
  DEFAULT_CATCH_UP_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
} from './membership-options.js';
export type { MembershipTarget } from './membership-plan.js';
export {
  planAddLearner,
  planChangeMembers,
  planPromote,
  planRemove,
  planReplace,
  roleOf,
} from './membership-plan.js';
export { reachableMembers } from './reachable-members.js';
export type { RequestJoinOptions } from './request-join.js';
export { requestJoin } from './request-join.js';
export type { MembershipNode } from './wait-for-catch-up.js';
export { replicationLag } from './wait-for-catch-up.js';
