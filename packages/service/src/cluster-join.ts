import type { AbortSignalLike, ClusterConfig } from '@raft/core';
import { type JoinRequest, requestJoin } from '@raft/membership';
import { ConfigError } from './config-error.js';
import { JOIN_PROOF_HEADER, joinProof } from './join-proof.js';

/** Where and how a new node joins a running cluster over its HTTP API. */
export interface HttpJoinOptions {
  readonly id: string;
  /** This node's peer (transport) URL, replicated to every member. */
  readonly address: string;
  /** The HTTP URL of any member (`--join`). */
  readonly joinUrl: string;
  readonly clusterId: string;
  readonly secret: string;
  /** Give up after this long; the catch-up (a snapshot transfer) happens within it. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignalLike;
}

/** A member as `GET /cluster` lists it. */
interface ListedMember {
  readonly id: string;
  readonly peerUrl: string | null;
}

/**
 * The members' peer URLs, from `GET <joinUrl>/cluster`: a joining node must know them before it asks
 * to join, so it can accept the leader's connection and answer it.
 * @throws ConfigError when the member cannot be asked or answers something else than a cluster view.
 */
export async function fetchClusterPeers(joinUrl: string, signal?: AbortSignal): Promise<Map<string, string>> {
  let body: unknown;
  try {
    const response = await fetch(new URL('/cluster', joinUrl), signal === undefined ? {} : { signal });
    body = await response.json();
  } catch (error) {
    throw new ConfigError(`--join ${joinUrl}: cannot read the cluster (${(error as Error).message})`);
  }
  const members = (body as { members?: unknown }).members;
  if (!Array.isArray(members)) throw new ConfigError(`--join ${joinUrl}: the answer lists no members`);
  const peers = new Map<string, string>();
  for (const member of members as ListedMember[]) {
    if (typeof member?.id === 'string' && typeof member.peerUrl === 'string')
      peers.set(member.id, member.peerUrl);
  }
  if (peers.size === 0) throw new ConfigError(`--join ${joinUrl}: no member lists a peer URL`);
  return peers;
}

/**
 * Asks the cluster behind `joinUrl` to add this (running, empty) node as a voter through
 * `POST /cluster/join`, following redirects to the leader and retrying until the deadline, with a
 * fresh proof of the cluster secret on each attempt. Resolves with the configuration that has it.
 */
export function joinOverHttp(options: HttpJoinOptions): Promise<ClusterConfig> {
  const send = async (contact: string, request: JoinRequest, signal: AbortSignalLike): Promise<unknown> => {
    const response = await fetch(new URL('/cluster/join', contact), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [JOIN_PROOF_HEADER]: joinProof(options.secret, { clusterId: options.clusterId, ...request }),
      },
      body: JSON.stringify(request),
      signal: signal as AbortSignal,
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status === 400 || response.status === 403) {
      // Not a protocol answer: the request itself is refused, and asking again will not change that.
      return {
        status: 'failed',
        code: String(body.error),
        message: String(body.message),
        retryable: false,
      };
    }
    return body;
  };
  return requestJoin({
    id: options.id,
    address: options.address,
    contacts: [options.joinUrl],
    send,
    deadlineMs: options.deadlineMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
