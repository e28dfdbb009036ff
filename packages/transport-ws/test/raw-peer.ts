// Test support: a hand-driven WebSocket client that speaks (or breaks) the handshake protocol, to
// play a misbehaving or malicious peer against a live transport.
import { WebSocket } from 'ws';
import {
  computeProof,
  encodeHandshake,
  newNonce,
  PROTOCOL_VERSION,
  parseChallenge,
  parseWelcome,
} from '../src/handshake.js';

/** Resolves with the close code and reason once `socket` closes. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: '' });
  return new Promise((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
}

/** Opens a connection and waits for the server's challenge; returns the socket and the server nonce. */
export async function openRaw(url: string): Promise<{ socket: WebSocket; serverNonce: string }> {
  const socket = new WebSocket(url, { maxPayload: 64 * 1024 });
  socket.on('error', () => {});
  const text = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)));
    socket.once('close', () => reject(new Error('closed before the challenge')));
  });
  const challenge = parseChallenge(text);
  if (challenge === undefined) throw new Error(`not a challenge: ${text}`);
  return { socket, serverNonce: challenge.nonce };
}

export interface Identity {
  readonly clusterId: string;
  readonly from: string;
  readonly to: string;
  /** undefined: send an empty proof, as an insecure node does. */
  readonly secret: string | undefined;
}

/** Sends a hello as `identity`; resolves with the open socket once welcomed, or rejects when closed. */
export async function authenticate(url: string, identity: Identity): Promise<WebSocket> {
  const { socket, serverNonce } = await openRaw(url);
  const clientNonce = newNonce();
  const secret = identity.secret === undefined ? undefined : new TextEncoder().encode(identity.secret);
  const proof = computeProof(secret, 'client-to-server', {
    clusterId: identity.clusterId,
    clientId: identity.from,
    serverId: identity.to,
    serverNonce,
    clientNonce,
  });
  const welcome = new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)));
    socket.once('close', (code, reason) =>
      reject(Object.assign(new Error('closed'), { code, reason: String(reason) })),
    );
  });
  socket.send(
    encodeHandshake({
      type: 'hello',
      version: PROTOCOL_VERSION,
      clusterId: identity.clusterId,
      from: identity.from,
      to: identity.to,
      nonce: clientNonce,
      proof,
    }),
  );
  const text = await welcome;
  if (parseWelcome(text) === undefined) throw new Error(`not a welcome: ${text}`);
  return socket;
}
