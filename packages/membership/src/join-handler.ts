import type { AbortSignalLike, NodeId } from '@raft/core';
import type { JoinResponse } from './join-protocol.js';
import { parseJoinRequest } from './join-protocol.js';
import type { Membership } from './membership.js';
import type { MembershipCallOptions } from './membership-options.js';
import { roleOf } from './membership-plan.js';

/** Options of {@link createJoinHandler}. */
export interface JoinHandlerOptions {
  /**
   * Where a joiner can reach node `leader`'s join endpoint (for example its HTTP URL), or undefined if
   * unknown. Used to redirect joiners that asked a follower. Without it, redirects carry no contact and
   * the joiner tries its other contacts.
   */
  readonly contactOf?: (leader: NodeId) => string | undefined;
  /** Catch-up and change options for the `addVoter` the handler runs; default the membership's own. */
  readonly addVoter?: Omit<MembershipCallOptions, 'signal'>;
}

/**
 * Answers one join request. Never rejects for an expected outcome: every refusal is a
 * {@link JoinResponse} with a stable `code`, ready to be serialised by whatever carries it.
 */
export type JoinHandler = (
  request: unknown,
  options?: { readonly signal?: AbortSignalLike },
) => Promise<JoinResponse>;

/** Codes after which the same request may succeed later (at this node or at the next leader). */
const RETRYABLE = new Set<string>([
  'RAFT_CONFIG_CHANGE_IN_PROGRESS',
  'RAFT_TIMEOUT',
  'RAFT_PROPOSAL_DROPPED',
  'RAFT_STOPPED',
  'RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT',
  'RAFT_MEMBERSHIP_QUORUM_AT_RISK',
]);

/** The code of an error from this package or the core, if it carries one. */
function codeOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The cluster side of the join protocol, to mount behind any transport (an HTTP route, say) on every
 * node. Given an untrusted request it:
 * 1. validates it into `{ id, address }` (`parseJoinRequest`), answering `failed` with
 *    `RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST`, `RAFT_MEMBERSHIP_INVALID_ID` or
 *    `RAFT_MEMBERSHIP_INVALID_ADDRESS` (not retryable) when it is not;
 * 2. on a node that does not lead, answers `not-leader` with the leader it knows and its contact;
 * 3. when `id` already is a voter at `address`, answers `joined` with the configuration at once (a
 *    joiner that lost the first answer asks again);
 * 4. otherwise runs `membership.addVoter(id, address)` (learner, catch up, promote) and answers
 *    `joined` with the resulting configuration, or `failed` with the error's code (retryable for
 *    timeouts, a change in progress, a catch-up that ran out of time, a quorum at risk).
 *
 * The joining node must already run before it asks (see `requestJoin`): started with EMPTY storage and
 * no `initialMembers`, reachable at `address`. It then receives the log or a snapshot as a learner and
 * is promoted once caught up.
 *
 * Admission control (who may join) is the application's: check credentials before calling the handler.
 */
export function createJoinHandler(membership: Membership, options: JoinHandlerOptions = {}): JoinHandler {
  const notLeader = (leader: NodeId): JoinResponse => {
    const contact = leader === '' ? undefined : options.contactOf?.(leader);
    return contact === undefined
      ? { status: 'not-leader', leader }
      : { status: 'not-leader', leader, contact };
  };
  const failed = (error: unknown): JoinResponse => {
    const code = codeOf(error);
    // Messages of unknown errors stay on this side: the joiner is not trusted with internals.
    if (code === undefined) {
      return {
        status: 'failed',
        code: 'INTERNAL',
        message: 'the join failed on the cluster',
        retryable: true,
      };
    }
    const message = error instanceof Error ? error.message : code;
    return { status: 'failed', code, message, retryable: RETRYABLE.has(code) };
  };

  /** The `joined` answer when `id` already is a voter at `address` on this leader, else undefined. */
  const alreadyJoined = (id: NodeId, address: string): JoinResponse | undefined => {
    const status = membership.node.status();
    if (status.role !== 'leader') return undefined;
    const config = status.config;
    return roleOf(config, id) === 'voter' && config.addresses?.[id] === address
      ? { status: 'joined', config }
      : undefined;
  };

  return async (request, call = {}) => {
    let joiner: { id: NodeId; address: string } | undefined;
    try {
      joiner = parseJoinRequest(request);
      const status = membership.node.status();
      if (status.role !== 'leader') return notLeader(status.leader);
      const done = alreadyJoined(joiner.id, joiner.address);
      if (done !== undefined) return done;
      const addVoterOptions =
        call.signal === undefined ? { ...options.addVoter } : { ...options.addVoter, signal: call.signal };
      const config = await membership.addVoter(joiner.id, joiner.address, addVoterOptions);
      return { status: 'joined', config };
    } catch (error) {
      const code = codeOf(error);
      if (code === 'RAFT_NOT_LEADER') {
        const hint = (error as { leaderHint?: unknown }).leaderHint;
        return notLeader(typeof hint === 'string' ? hint : '');
      }
      // A retry that queued behind the request it repeats finds the work done: same answer.
      if (code === 'RAFT_MEMBERSHIP_ALREADY_MEMBER' && joiner !== undefined) {
        const done = alreadyJoined(joiner.id, joiner.address);
        if (done !== undefined) return done;
      }
      return failed(error);
    }
  };
}
