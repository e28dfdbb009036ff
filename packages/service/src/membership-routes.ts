import type { RaftNode } from '@raft/core';
import { createJoinHandler, createMembership, parseJoinRequest } from '@raft/membership';
import { HttpError } from './http-error.js';
import type { Route } from './http-router.js';
import { sendJson } from './http-service.js';
import { JOIN_PROOF_HEADER, verifyJoinProof } from './join-proof.js';
import { readJsonObject } from './json-body.js';
import { raftErrorToHttp } from './raft-http-errors.js';

/** Inputs of {@link membershipRoutes}. */
export interface MembershipRouteOptions {
  readonly node: RaftNode<unknown>;
  readonly clusterId: string;
  /** The cluster secret: join requests must prove they know it. */
  readonly secret: string;
  /** The client URL of a member, to redirect joiners to the leader. */
  readonly clientUrl: (id: string) => string | undefined;
  /** How long a join may take (catch-up included) before it answers a retryable failure. */
  readonly joinTimeoutMs?: number;
}

const MAX_JOIN_BODY_BYTES = 8 * 1024;

/** HTTP status of each join answer: the body is the protocol's JSON answer in every case. */
function joinStatus(answer: { status: string; retryable?: boolean }): number {
  if (answer.status === 'joined') return 200;
  if (answer.status === 'not-leader') return 421;
  return answer.retryable === true ? 503 : 409;
}

/**
 * `POST /cluster/join` (the cluster side of `@raft/membership`'s join protocol: a new node asks to be
 * added; the leader adds it as a learner, waits until it caught up, promotes it and answers with the
 * configuration) and `DELETE /cluster/members/{id}` (decommission a member; it may then not restart
 * on its data directory). Join requests must carry a proof of the cluster secret (`raft-join-proof`).
 */
export function membershipRoutes(options: MembershipRouteOptions): Route[] {
  const membership = createMembership(options.node, {
    catchUpTimeoutMs: options.joinTimeoutMs ?? 60_000,
  });
  const join = createJoinHandler(membership, { contactOf: options.clientUrl });
  return [
    {
      path: '/cluster/join',
      methods: {
        POST: async ({ request, response }) => {
          const body = await readJsonObject(request, MAX_JOIN_BODY_BYTES);
          let claim: { id: string; address: string };
          try {
            claim = parseJoinRequest(body);
          } catch (error) {
            throw new HttpError(400, 'bad_request', (error as Error).message);
          }
          const proof = request.headers[JOIN_PROOF_HEADER];
          if (
            !verifyJoinProof(
              options.secret,
              { clusterId: options.clusterId, ...claim },
              typeof proof === 'string' ? proof : undefined,
            )
          ) {
            throw new HttpError(
              403,
              'join_forbidden',
              `a join request must prove the cluster secret in ${JOIN_PROOF_HEADER} (fresh, for this id and address)`,
            );
          }
          const answer = await join(body);
          sendJson(response, joinStatus(answer), answer);
        },
      },
    },
    {
      path: '/cluster/members/*',
      methods: {
        DELETE: async ({ rest, response }) => {
          const id = decodeURIComponent(rest);
          if (id === '' || id.includes('/')) throw new HttpError(404, 'not_found', 'no such member');
          try {
            const config = await membership.removeNode(id);
            sendJson(response, 200, { removed: id, config });
          } catch (error) {
            throw membershipErrorToHttp(error, options.clientUrl);
          }
        },
      },
    },
  ];
}

/**
 * Membership refusals as HTTP errors (404 for an unknown member, 409 for a guard), 421 with the
 * leader's id and client URL on a follower, the rest as core errors (timeout...).
 */
function membershipErrorToHttp(error: unknown, clientUrl: (id: string) => string | undefined): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'RAFT_NOT_LEADER') {
    const leader = (error as { leaderHint: string }).leaderHint;
    if (leader === '') return raftErrorToHttp(error, 'write');
    return new HttpError(421, 'not_leader', `membership changes go to the leader, ${leader}`, {
      leader,
      leaderUrl: clientUrl(leader) ?? null,
    });
  }
  if (typeof code === 'string' && code.startsWith('RAFT_MEMBERSHIP_')) {
    const status = code === 'RAFT_MEMBERSHIP_UNKNOWN_MEMBER' ? 404 : 409;
    return new HttpError(
      status,
      code.slice('RAFT_MEMBERSHIP_'.length).toLowerCase(),
      (error as Error).message,
    );
  }
  return raftErrorToHttp(error, 'write');
}
