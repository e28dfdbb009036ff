import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a join request carries its proof in: `t=<unix ms>,mac=<hex HMAC-SHA256>`. */
export const JOIN_PROOF_HEADER = 'raft-join-proof';

/** A proof older or newer than this (clock skew included) is refused, so a captured one soon expires. */
export const JOIN_PROOF_WINDOW_MS = 5 * 60_000;

/** What a join proof binds: the cluster, the joining node, its address and the time. */
export interface JoinClaim {
  readonly clusterId: string;
  readonly id: string;
  readonly address: string;
}

function mac(secret: string, claim: JoinClaim, timeMs: number): Buffer {
  return createHmac('sha256', secret)
    .update(`raft-join\n${claim.clusterId}\n${claim.id}\n${claim.address}\n${timeMs}`)
    .digest();
}

/**
 * The proof a joining node sends: it knows the cluster secret (without sending it), for this cluster,
 * id and address, at this time. Anyone who can reach the HTTP port could otherwise add members.
 */
export function joinProof(secret: string, claim: JoinClaim, nowMs = Date.now()): string {
  return `t=${nowMs},mac=${mac(secret, claim, nowMs).toString('hex')}`;
}

/** Whether `header` proves `claim` with `secret` within {@link JOIN_PROOF_WINDOW_MS} of `nowMs`. */
export function verifyJoinProof(
  secret: string,
  claim: JoinClaim,
  header: string | undefined,
  nowMs = Date.now(),
): boolean {
  const match = /^t=(\d{1,16}),mac=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return false;
  const timeMs = Number(match[1]);
  if (Math.abs(nowMs - timeMs) > JOIN_PROOF_WINDOW_MS) return false;
  return timingSafeEqual(Buffer.from(match[2]!, 'hex'), mac(secret, claim, timeMs));
}
