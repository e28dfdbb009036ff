/**
 * Why this transport closed (or refused) a connection. Every code is logged with the connection's
 * details and counted in `stats().connectionErrors`; assert on these codes, never on log text.
 *
 * - `RAFT_WS_BAD_HANDSHAKE`: the peer broke the handshake protocol (a binary frame, malformed JSON,
 *   wrong field types, an unsupported protocol version, or a message out of turn).
 * - `RAFT_WS_AUTH_FAILED`: the peer's HMAC proof did not match: it does not know the cluster secret
 *   (or, seen from the dialing side, the server could not prove that it knows it).
 * - `RAFT_WS_WRONG_CLUSTER`: the peer belongs to another cluster id.
 * - `RAFT_WS_UNKNOWN_PEER`: the peer's node id is not in this node's address book, or it dialed a
 *   node id other than this one.
 * - `RAFT_WS_HANDSHAKE_TIMEOUT`: the handshake did not finish within `handshakeTimeoutMs`.
 * - `RAFT_WS_TOO_MANY_HANDSHAKES`: more than `maxPendingHandshakes` connections were authenticating.
 * - `RAFT_WS_BAD_FRAME`: after the handshake, a frame that is not a valid batch of the core codec
 *   (including a text frame), or a WebSocket protocol violation.
 * - `RAFT_WS_FRAME_TOO_LARGE`: a frame above `maxFrameBytes`.
 * - `RAFT_WS_DEAD_PEER`: nothing (not even a pong) heard for `keepalive.deadPeerTimeoutMs`.
 * - `RAFT_WS_TLS_REJECTED`: the TLS handshake failed (for example a client without a certificate
 *   signed by the configured CA while `tls.requestCert` is on).
 * - `RAFT_WS_REPLACED`: a newer authenticated connection from the same peer replaced this one.
 */
export type ConnectionErrorCode =
  | 'RAFT_WS_BAD_HANDSHAKE'
  | 'RAFT_WS_AUTH_FAILED'
  | 'RAFT_WS_WRONG_CLUSTER'
  | 'RAFT_WS_UNKNOWN_PEER'
  | 'RAFT_WS_HANDSHAKE_TIMEOUT'
  | 'RAFT_WS_TOO_MANY_HANDSHAKES'
  | 'RAFT_WS_BAD_FRAME'
  | 'RAFT_WS_FRAME_TOO_LARGE'
  | 'RAFT_WS_DEAD_PEER'
  | 'RAFT_WS_TLS_REJECTED'
  | 'RAFT_WS_REPLACED';

/** Every {@link ConnectionErrorCode}, in a stable order (for stats tables). */
export const CONNECTION_ERROR_CODES: readonly ConnectionErrorCode[] = [
  'RAFT_WS_BAD_HANDSHAKE',
  'RAFT_WS_AUTH_FAILED',
  'RAFT_WS_WRONG_CLUSTER',
  'RAFT_WS_UNKNOWN_PEER',
  'RAFT_WS_HANDSHAKE_TIMEOUT',
  'RAFT_WS_TOO_MANY_HANDSHAKES',
  'RAFT_WS_BAD_FRAME',
  'RAFT_WS_FRAME_TOO_LARGE',
  'RAFT_WS_DEAD_PEER',
  'RAFT_WS_TLS_REJECTED',
  'RAFT_WS_REPLACED',
];

/**
 * WebSocket close codes (private range 4000-4999) sent with each rejection, so the other side can log
 * why it was turned away. The close reason text is the {@link ConnectionErrorCode} itself.
 */
export const CLOSE_CODE_OF: Readonly<Record<ConnectionErrorCode, number>> = {
  RAFT_WS_BAD_HANDSHAKE: 4400,
  RAFT_WS_AUTH_FAILED: 4401,
  RAFT_WS_WRONG_CLUSTER: 4403,
  RAFT_WS_UNKNOWN_PEER: 4404,
  RAFT_WS_HANDSHAKE_TIMEOUT: 4408,
  RAFT_WS_TOO_MANY_HANDSHAKES: 4429,
  RAFT_WS_BAD_FRAME: 4422,
  RAFT_WS_FRAME_TOO_LARGE: 4413,
  RAFT_WS_DEAD_PEER: 4504,
  RAFT_WS_TLS_REJECTED: 4495,
  RAFT_WS_REPLACED: 4409,
};

/**
 * The transport was configured without a cluster secret and without `insecure: true`. Thrown by
 * `webSocketTransport()`: an unauthenticated node must be asked for explicitly.
 */
export class MissingSecretError extends Error {
  readonly code = 'RAFT_WS_NO_SECRET';
  override readonly name = 'MissingSecretError';
  constructor() {
    super('no cluster secret: set `secret`, or set `insecure: true` to run without authentication');
  }
}
