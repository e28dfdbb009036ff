import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { ClientOptions } from 'ws';
import type { PemSource, WebSocketTlsOptions } from './options.js';

type NodePem = string | Buffer;

function toNodePem(value: PemSource): NodePem {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function toNodePemList(value: PemSource | readonly PemSource[]): NodePem | NodePem[] {
  return Array.isArray(value) ? value.map(toNodePem) : toNodePem(value as PemSource);
}

/** Options for the HTTPS server the transport makes when `tls` and `listen` are both given. */
export function tlsServerOptions(tls: WebSocketTlsOptions): HttpsServerOptions {
  const mutual = tls.requestCert === true;
  // rejectUnauthorized only matters when a certificate is requested: then a client without a valid one
  // fails the TLS handshake before it can send a byte of WebSocket.
  const options: HttpsServerOptions = { requestCert: mutual, rejectUnauthorized: mutual };
  if (tls.ca !== undefined) options.ca = toNodePemList(tls.ca);
  if (tls.cert !== undefined) options.cert = toNodePem(tls.cert);
  if (tls.key !== undefined) options.key = toNodePem(tls.key);
  return options;
}

/** TLS options for dialing `wss://` peers: trust `ca`, present `cert`/`key` when the server asks. */
export function tlsClientOptions(tls: WebSocketTlsOptions | undefined): ClientOptions {
  const options: ClientOptions = {};
  if (tls === undefined) return options;
  if (tls.ca !== undefined) options.ca = toNodePemList(tls.ca);
  if (tls.cert !== undefined) options.cert = toNodePem(tls.cert);
  if (tls.key !== undefined) options.key = toNodePem(tls.key);
  return options;
}
