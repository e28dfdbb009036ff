import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { InvalidOptionsError, type NodeId } from '@raft/core';
import { MissingSecretError } from './errors.js';

/** PEM text or DER/PEM bytes. */
export type PemSource = string | Uint8Array;

/** TLS (`wss://`) settings, used for the listening server and for dialing peers. */
export interface WebSocketTlsOptions {
  /** CA certificate(s) that peers' certificates must chain to. Default: the system's trusted CAs. */
  readonly ca?: PemSource | readonly PemSource[];
  /** This node's certificate: served to dialers, and presented to servers that ask for one. */
  readonly cert?: PemSource;
  /** The private key of `cert`. */
  readonly key?: PemSource;
  /**
   * Server side: require every dialer to present a certificate signed by `ca` (mutual TLS); a
   * connection without one fails the TLS handshake. Default false.
   */
  readonly requestCert?: boolean;
}

/** Reconnection backoff: delay = min(maxDelayMs, initialDelayMs * 2^attempt) * (1 - jitter * random). */
export interface ReconnectOptions {
  /** Delay before the first reconnection attempt, in ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts, in ms. Default 5,000. */
  readonly maxDelayMs?: number;
  /** Fraction in [0, 1] of each delay taken off at random, so peers do not reconnect in lockstep. Default 0.2. */
  readonly jitter?: number;
}

/** Ping/pong keepalive and dead-peer detection. */
export interface KeepaliveOptions {
  /** A ping goes to every connected peer this often, in ms. Default 5,000. */
  readonly pingIntervalMs?: number;
  /** A connection that has heard nothing (not even a pong) for this long is closed, in ms. Default 15,000. */
  readonly deadPeerTimeoutMs?: number;
}

/**
 * The low-priority lane of each peer's send queue that carries `InstallSnapshot` chunks. Every flush
 * writes all other queued messages first and chunks only after them, and only while the peer's socket
 * holds at most `maxBufferedBytes`: a snapshot backlog never delays heartbeats, votes, appends or
 * responses by more than that many bytes (plus one chunk and the kernel's buffers). Over its bounds the
 * lane drops chunks (`snapshot-queue-full`); the leader's snapshot sender resends what goes unacknowledged.
 */
export interface SnapshotLaneOptions {
  /** Most chunks queued for one peer. Default 64. */
  readonly maxQueuedMessages?: number;
  /** Most bytes (upper-bound estimate) of chunks queued for one peer. Default 8 MiB. */
  readonly maxQueuedBytes?: number;
  /**
   * Write no more chunks while the peer's socket holds more than this many unsent bytes (ordinary
   * messages still go, up to the transport's `maxBufferedBytes`). Default 256 KiB.
   */
  readonly maxBufferedBytes?: number;
}

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /** This node's id. Dialers must name it, and every message this node sends must come from it. */
  readonly id: NodeId;
  /**
   * Where to listen for peers: a host and a port (0 picks a free port; read it back with `address()`).
   * Give either `listen` or `server`.
   */
  readonly listen?: { readonly host: string; readonly port: number };
  /**
   * An existing HTTP or HTTPS server (already listening or not) to take WebSocket upgrades from. The
   * transport never closes it. Give either `listen` or `server`.
   */
  readonly server?: HttpServer | HttpsServer;
  /**
   * Upgrade path to accept (for example `/raft`); requests for other paths are left to other
   * `upgrade` listeners of a shared `server`, or refused on a server the transport made. Default: any.
   */
  readonly path?: string;
  /** Address book: node id to `ws://` or `wss://` URL. Replace it at run time with `setPeers`. Default empty. */
  readonly peers?: ReadonlyMap<NodeId, string> | Readonly<Record<NodeId, string>>;
  /** The cluster's id, bound into every handshake: nodes of another cluster are refused. */
  readonly clusterId: string;
  /** The shared cluster secret for the HMAC challenge-response. It never crosses the wire. */
  readonly secret?: Uint8Array | string;
  /** Allow running with no secret (no authentication at all). A loud warning is logged. Default false. */
  readonly insecure?: boolean;
  /** TLS for `wss://`: the server's certificate, the CA, and mutual client certificates. */
  readonly tls?: WebSocketTlsOptions;
  /** Reconnection backoff after a connection to a peer fails or drops. */
  readonly reconnect?: ReconnectOptions;
  /** Ping interval and dead-peer timeout. */
  readonly keepalive?: KeepaliveOptions;
  /** Largest frame sent or accepted, in bytes; a larger incoming frame closes the connection. Default 4 MiB. */
  readonly maxFrameBytes?: number;
  /** Most messages queued for one peer; further messages are dropped (and counted). Default 10,000. */
  readonly maxQueuedMessages?: number;
  /** Most bytes (upper-bound estimate) queued for one peer; further messages are dropped. Default 32 MiB. */
  readonly maxQueuedBytes?: number;
  /**
   * While more than this many bytes sit in a peer's socket buffer (`ws.bufferedAmount`), nothing more
   * is written to it: new messages wait in the bounded queue, then drop. Default 4 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Bounds of the low-priority lane that carries snapshot chunks to each peer. */
  readonly snapshotLane?: SnapshotLaneOptions;
  /** Time allowed to a connection to complete the handshake, in ms. Default 5,000. */
  readonly handshakeTimeoutMs?: number;
  /** Most inbound connections authenticating at once; more are refused. Default 32. */
  readonly maxPendingHandshakes?: number;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions {
  readonly id: NodeId;
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  readonly server: HttpServer | HttpsServer | undefined;
  readonly path: string | undefined;
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly clusterId: string;
  readonly secret: Uint8Array | undefined;
  readonly tls: WebSocketTlsOptions | undefined;
  readonly reconnect: Required<ReconnectOptions>;
  readonly keepalive: Required<KeepaliveOptions>;
  readonly maxFrameBytes: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly maxBufferedBytes: number;
  readonly snapshotLane: Required<SnapshotLaneOptions>;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingHandshakes: number;
}

/** Longest node id or cluster id, in UTF-8 bytes (the codec's default `maxIdBytes`). */
export const MAX_ID_BYTES = 1024;

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!(typeof resolved === 'number' && resolved > 0 && Number.isFinite(resolved))) {
    throw new InvalidOptionsError(`${name} must be a positive finite number, got ${String(value)}`);
  }
  return resolved;
}

function checkId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || Buffer.byteLength(value) > MAX_ID_BYTES) {
    throw new InvalidOptionsError(`${name} must be a non-empty string of at most ${MAX_ID_BYTES} bytes`);
  }
  return value;
}

/** True for a parseable `ws://` or `wss://` URL. */
export function isPeerUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  } catch {
    return false;
  }
}

/** The address book as a Map, whichever form it was given in. */
export function toPeerMap(
  peers: ReadonlyMap<NodeId, string> | Readonly<Record<NodeId, string>> | undefined,
): Map<NodeId, string> {
  if (peers === undefined) return new Map();
  return peers instanceof Map ? new Map(peers) : new Map(Object.entries(peers));
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws InvalidOptionsError (code `RAFT_INVALID_OPTIONS`) for a bad value.
 * @throws MissingSecretError (code `RAFT_WS_NO_SECRET`) with neither `secret` nor `insecure: true`.
 */
export function resolveOptions(options: WebSocketTransportOptions): ResolvedOptions {
  const id = checkId('id', options.id);
  const clusterId = checkId('clusterId', options.clusterId);
  if ((options.listen === undefined) === (options.server === undefined)) {
    throw new InvalidOptionsError('give exactly one of `listen` and `server`');
  }
  if (options.listen !== undefined) {
    const { host, port } = options.listen;
    if (typeof host !== 'string' || host === '') throw new InvalidOptionsError('listen.host must be a host');
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new InvalidOptionsError(`listen.port must be an integer in [0, 65535], got ${String(port)}`);
    }
  }
  let secret: Uint8Array | undefined;
  if (options.secret !== undefined) {
    secret =
      typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret.slice();
    if (secret.length === 0) throw new InvalidOptionsError('secret must not be empty');
  } else if (options.insecure !== true) {
    throw new MissingSecretError();
  }
  const peers = toPeerMap(options.peers);
  for (const [peer, url] of peers) {
    checkId('a peer id', peer);
    if (!isPeerUrl(url))
      throw new InvalidOptionsError(`peer ${peer}: ${String(url)} is not a ws:// or wss:// URL`);
  }
  const tls = options.tls;
  if (
    tls !== undefined &&
    options.listen !== undefined &&
    (tls.cert === undefined || tls.key === undefined)
  ) {
    throw new InvalidOptionsError('tls with listen needs tls.cert and tls.key for the server');
  }
  if (tls?.requestCert === true && tls.ca === undefined) {
    throw new InvalidOptionsError('tls.requestCert needs tls.ca to check client certificates against');
  }
  const jitter = options.reconnect?.jitter ?? 0.2;
  if (!(jitter >= 0 && jitter <= 1)) throw new InvalidOptionsError('reconnect.jitter must be in [0, 1]');
  const reconnect = {
    initialDelayMs: positive('reconnect.initialDelayMs', options.reconnect?.initialDelayMs, 100),
    maxDelayMs: positive('reconnect.maxDelayMs', options.reconnect?.maxDelayMs, 5_000),
    jitter,
  };
  const keepalive = {
    pingIntervalMs: positive('keepalive.pingIntervalMs', options.keepalive?.pingIntervalMs, 5_000),
    deadPeerTimeoutMs: positive('keepalive.deadPeerTimeoutMs', options.keepalive?.deadPeerTimeoutMs, 15_000),
  };
  if (keepalive.deadPeerTimeoutMs <= keepalive.pingIntervalMs) {
    throw new InvalidOptionsError('keepalive.deadPeerTimeoutMs must exceed keepalive.pingIntervalMs');
  }
  const snapshotLane = {
    maxQueuedMessages: positive(
      'snapshotLane.maxQueuedMessages',
      options.snapshotLane?.maxQueuedMessages,
      64,
    ),
    maxQueuedBytes: positive(
      'snapshotLane.maxQueuedBytes',
      options.snapshotLane?.maxQueuedBytes,
      8 * 1024 * 1024,
    ),
    maxBufferedBytes: positive(
      'snapshotLane.maxBufferedBytes',
      options.snapshotLane?.maxBufferedBytes,
      256 * 1024,
    ),
  };
  return {
    id,
    listen: options.listen,
    server: options.server,
    path: options.path,
    peers,
    clusterId,
    secret,
    tls,
    reconnect,
    keepalive,
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes, 4 * 1024 * 1024),
    maxQueuedMessages: positive('maxQueuedMessages', options.maxQueuedMessages, 10_000),
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes, 32 * 1024 * 1024),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, 4 * 1024 * 1024),
    snapshotLane,
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs, 5_000),
    maxPendingHandshakes: positive('maxPendingHandshakes', options.maxPendingHandshakes, 32),
  };
}
