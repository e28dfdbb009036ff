import type { ClusterConfig, NodeId } from '@raft/core';
import { InvalidJoinRequestError } from './errors.js';
import { validateAddress, validateMemberId } from './member-validation.js';

// The join protocol's messages. Plain JSON-compatible objects, so any transport can carry them (an
// HTTP POST body and its answer, a message on a queue); this package never touches the wire itself.

/** What a node that wants to join sends: its id and the address its Raft transport listens on. */
export interface JoinRequest {
  readonly id: NodeId;
  readonly address: string;
}

/** The cluster admitted the node: `config` is the configuration once it became a voter. */
export interface JoinedResponse {
  readonly status: 'joined';
  readonly config: ClusterConfig;
}

/**
 * The contacted node is not the leader. `leader` is the leader it knows of ('' while none is known);
 * `contact` is where the joiner can reach that leader with its next request, when the cluster knows.
 */
export interface NotLeaderResponse {
  readonly status: 'not-leader';
  readonly leader: NodeId;
  readonly contact?: string;
}

/**
 * The leader could not admit the node. `code` is the stable code of the error it met (for example
 * `RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT`, `RAFT_CONFIG_CHANGE_IN_PROGRESS`, `RAFT_MEMBERSHIP_ALREADY_MEMBER`);
 * `retryable` says whether the same request may succeed later.
 */
export interface FailedResponse {
  readonly status: 'failed';
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** Every answer to a {@link JoinRequest}. */
export type JoinResponse = JoinedResponse | NotLeaderResponse | FailedResponse;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns an untrusted value (a parsed request body) into a {@link JoinRequest}. Other fields are
 * ignored, so newer joiners can send more.
 *
 * @throws InvalidJoinRequestError (`RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST`) when it is not an object
 * with `id` and `address`; InvalidMemberIdError, InvalidAddressError when they are not valid.
 */
export function parseJoinRequest(request: unknown): JoinRequest {
  if (!isRecord(request)) throw new InvalidJoinRequestError('a join request must be an object');
  if (!('id' in request)) throw new InvalidJoinRequestError('a join request needs an id');
  if (!('address' in request)) throw new InvalidJoinRequestError('a join request needs an address');
  return { id: validateMemberId(request['id']), address: validateAddress(request['address']) };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The value as a configuration, or undefined if it is not one. */
function parseConfig(value: unknown): ClusterConfig | undefined {
  if (!isRecord(value)) return undefined;
  const { voters, outgoingVoters, learners, addresses } = value;
  if (!isStringArray(voters) || !isStringArray(outgoingVoters) || !isStringArray(learners)) return undefined;
  if (addresses === undefined) return { voters, outgoingVoters, learners };
  if (!isRecord(addresses) || !Object.values(addresses).every((address) => typeof address === 'string')) {
    return undefined;
  }
  return { voters, outgoingVoters, learners, addresses: addresses as Record<NodeId, string> };
}

/**
 * Turns an untrusted value (a parsed answer from a contact) into a {@link JoinResponse}, or undefined
 * when it is not a well-formed one (the joiner then treats the contact as failed and moves on).
 */
export function parseJoinResponse(response: unknown): JoinResponse | undefined {
  if (!isRecord(response)) return undefined;
  switch (response['status']) {
    case 'joined': {
      const config = parseConfig(response['config']);
      return config === undefined ? undefined : { status: 'joined', config };
    }
    case 'not-leader': {
      const { leader, contact } = response;
      if (typeof leader !== 'string') return undefined;
      if (contact === undefined) return { status: 'not-leader', leader };
      return typeof contact === 'string' && contact !== ''
        ? { status: 'not-leader', leader, contact }
        : undefined;
    }
    case 'failed': {
      const { code, message, retryable } = response;
      if (typeof code !== 'string' || typeof message !== 'string' || typeof retryable !== 'boolean') {
        return undefined;
      }
      return { status: 'failed', code, message, retryable };
    }
    default:
      return undefined;
  }
}
