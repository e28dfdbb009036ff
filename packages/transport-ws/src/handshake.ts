// The authentication handshake. Both sides prove knowledge of the cluster secret without sending it:
//
//   server -> client   challenge { version, nonce: Ns }
//   client -> server   hello     { version, clusterId, from: client id, to: server id, nonce: Nc,
//                                  proof: HMAC(secret, client-to-server | clusterId | from | to | Ns | Nc) }
//   server -> client   welcome   { proof: HMAC(secret, server-to-client | clusterId | from | to | Ns | Nc) }
//
// Each side's fresh nonce makes the other's proof single-use (no replay), the direction label keeps a
// proof from being reflected back, and binding the cluster id and both node ids means a proof made for
// one pair of nodes or one cluster is worthless for another. Handshake messages are JSON text frames;
// data frames are binary, so the two can never be confused. In insecure mode proofs are empty strings.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_ID_BYTES } from './options.js';

/** Version of this handshake; a peer speaking another is refused with RAFT_WS_BAD_HANDSHAKE. */
export const PROTOCOL_VERSION = 1;

/** Bytes of randomness in each nonce. */
export const NONCE_BYTES = 32;

/** Longest handshake message accepted, in bytes (ids are at most 1 KiB each). */
export const MAX_HANDSHAKE_BYTES = 8 * 1024;

/** Which side is proving: the dialer (client) or the listener (server). */
export type ProofDirection = 'client-to-server' | 'server-to-client';

export interface Challenge {
  readonly type: 'challenge';
  readonly version: number;
  readonly nonce: string;
}

export interface Hello {
  readonly type: 'hello';
  readonly version: number;
  readonly clusterId: string;
  readonly from: string;
  readonly to: string;
  readonly nonce: string;
  readonly proof: string;
}

export interface Welcome {
  readonly type: 'welcome';
  readonly proof: string;
}

/** Everything a proof is bound to, besides its direction. */
export interface ProofContext {
  readonly clusterId: string;
  readonly clientId: string;
  readonly serverId: string;
  readonly serverNonce: string;
  readonly clientNonce: string;
}

/** A fresh random nonce, base64. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

function proofBytes(secret: Uint8Array, direction: ProofDirection, context: ProofContext): Buffer {
  // A JSON array is an unambiguous encoding: no choice of ids can make two contexts serialise alike.
  const input = JSON.stringify([
    'raft-ws',
    PROTOCOL_VERSION,
    direction,
    context.clusterId,
    context.clientId,
    context.serverId,
    context.serverNonce,
    context.clientNonce,
  ]);
  return createHmac('sha256', secret).update(input).digest();
}

/** The proof (base64 HMAC-SHA256) for `direction`, or '' without a secret (insecure mode). */
export function computeProof(
  secret: Uint8Array | undefined,
  direction: ProofDirection,
  context: ProofContext,
): string {
  return secret === undefined ? '' : proofBytes(secret, direction, context).toString('base64');
}

/** Whether `proof` is the right one for `direction`; compared in constant time. */
export function verifyProof(
  secret: Uint8Array,
  direction: ProofDirection,
  context: ProofContext,
  proof: string,
): boolean {
  const expected = proofBytes(secret, direction, context);
  const given = Buffer.from(proof, 'base64');
  // The length is public (always 32 for a real proof); only equal lengths go to timingSafeEqual.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Fields = Record<string, unknown>;

function parseObject(text: string, type: string): Fields | undefined {
  if (text.length > MAX_HANDSHAKE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Fields;
  return fields['type'] === type ? fields : undefined;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && Buffer.byteLength(value) <= MAX_ID_BYTES;
}

function isNonce(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= 64 && Buffer.from(value, 'base64').length === NONCE_BYTES
  );
}

function isProof(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64;
}

/** A challenge, or undefined for anything else. */
export function parseChallenge(text: string): Challenge | undefined {
  const fields = parseObject(text, 'challenge');
  if (fields === undefined || fields['version'] !== PROTOCOL_VERSION || !isNonce(fields['nonce'])) {
    return undefined;
  }
  return { type: 'challenge', version: PROTOCOL_VERSION, nonce: fields['nonce'] };
}

/** A hello of this protocol version, or undefined for anything else. */
export function parseHello(text: string): Hello | undefined {
  const fields = parseObject(text, 'hello');
  if (fields === undefined || fields['version'] !== PROTOCOL_VERSION) return undefined;
  const { clusterId, from, to, nonce, proof } = fields;
  if (!isId(clusterId) || !isId(from) || !isId(to) || !isNonce(nonce) || !isProof(proof)) return undefined;
  return { type: 'hello', version: PROTOCOL_VERSION, clusterId, from, to, nonce, proof };
}

/** A welcome, or undefined for anything else. */
export function parseWelcome(text: string): Welcome | undefined {
  const fields = parseObject(text, 'welcome');
  if (fields === undefined || !isProof(fields['proof'])) return undefined;
  return { type: 'welcome', proof: fields['proof'] };
}

/** The text frame of a handshake message. */
export function encodeHandshake(message: Challenge | Hello | Welcome): string {
  return JSON.stringify(message);
}
