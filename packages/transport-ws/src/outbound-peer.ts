import { encodeMessages, type Message, type NodeId } from '@raft/core';
import { WebSocket } from 'ws';
import { backoffDelay } from './backoff.js';
import { CLOSE_CODE_OF, type ConnectionErrorCode } from './errors.js';
import {
  computeProof,
  encodeHandshake,
  MAX_HANDSHAKE_BYTES,
  newNonce,
  PROTOCOL_VERSION,
  type ProofContext,
  parseChallenge,
  parseWelcome,
  verifyProof,
} from './handshake.js';
import { SendQueue } from './send-queue.js';
import { tlsClientOptions } from './tls-options.js';
import type { TransportContext } from './transport-context.js';
import type { PeerConnectionState, PeerStats } from './transport-stats.js';

/**
 * The sending side of the link to one peer: one authenticated outbound connection and a bounded send
 * queue in two lanes. Snapshot chunks (`InstallSnapshot`) go to a low-priority lane that is written
 * only after the normal lane is empty and only while the socket's backlog is small, so a snapshot
 * transfer never holds heartbeats, votes, appends or responses behind it.
 */
export class OutboundPeer {
  private state: PeerConnectionState = 'idle';
  private socket: WebSocket | undefined;
  private readonly queue: SendQueue;
  private readonly snapshotQueue: SendQueue;
  /** Failed attempts since the last established connection: the backoff exponent. */
  private attempt = 0;
  private connections = 0;
  private lastHeard = 0;
  private flushScheduled = false;
  private lastFailure = '';
  private reconnectTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: NodeId,
    private url: string,
    private readonly context: TransportContext,
  ) {
    const { options } = context;
    this.queue = new SendQueue(options.maxQueuedMessages, options.maxQueuedBytes);
    this.snapshotQueue = new SendQueue(
      options.snapshotLane.maxQueuedMessages,
      options.snapshotLane.maxQueuedBytes,
    );
  }

  /** Queues `message`; it goes out with everything else queued before the next microtask checkpoint. */
  send(message: Message): void {
    if (this.state === 'closed') {
      this.context.drop('stopped', this.id, message);
      return;
    }
    if (message.type === 'InstallSnapshot') {
      if (!this.snapshotQueue.push(message)) {
        this.context.drop('snapshot-queue-full', this.id, message);
        return;
      }
    } else if (!this.queue.push(message)) {
      this.context.drop('queue-full', this.id, message);
      return;
    }
    if (this.state === 'idle') this.connect();
    else if (this.state === 'open') this.scheduleFlush();
  }

  /** Points this peer at a new address; an existing connection is dropped and redialed at once. */
  setUrl(url: string): void {
    if (url === this.url) return;
    this.url = url;
    if (this.state === 'idle' || this.state === 'closed') return;
    this.abandon(undefined);
    this.attempt = 0;
    this.connect();
  }

  /** Closes the connection for good; whatever is still queued is dropped for `reason`. */
  close(reason: 'stopped' | 'peer-removed'): void {
    if (this.state === 'closed') return;
    this.abandon(undefined);
    this.state = 'closed';
    for (const message of this.queue.clear()) this.context.drop(reason, this.id, message);
    for (const message of this.snapshotQueue.clear()) this.context.drop(reason, this.id, message);
  }

  stats(inbound: boolean): PeerStats {
    return {
      id: this.id,
      url: this.url,
      state: this.state,
      inbound,
      queuedMessages: this.queue.length,
      queuedBytes: this.queue.bytes,
      snapshotQueuedMessages: this.snapshotQueue.length,
      snapshotQueuedBytes: this.snapshotQueue.bytes,
      bufferedBytes: this.socket?.bufferedAmount ?? 0,
      connections: this.connections,
    };
  }

  private connect(): void {
    this.clearTimers();
    this.state = 'connecting';
    const { options } = this.context;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, {
        // The listener sends only handshake messages on this connection.
        maxPayload: MAX_HANDSHAKE_BYTES,
        perMessageDeflate: false,
        handshakeTimeout: options.handshakeTimeoutMs,
        ...tlsClientOptions(options.tls),
      });
    } catch (error) {
      this.lastFailure = String(error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    // One deadline for TCP, TLS, the upgrade and the authentication together.
    this.handshakeTimer = setTimeout(
      () => this.fail(socket, 'RAFT_WS_HANDSHAKE_TIMEOUT', 'the peer did not complete the handshake in time'),
      options.handshakeTimeoutMs,
    );
    this.handshakeTimer.unref();
    const clientNonce = newNonce();
    let proofContext: ProofContext | undefined;
    let open = false;
    socket.on('message', (data, isBinary) => {
      if (socket !== this.socket) return;
      this.lastHeard = performance.now();
      if (open || isBinary) {
        this.fail(
          socket,
          open ? 'RAFT_WS_BAD_FRAME' : 'RAFT_WS_BAD_HANDSHAKE',
          'unexpected frame from the peer',
        );
        return;
      }
      const text = String(data);
      if (proofContext === undefined) {
        const challenge = parseChallenge(text);
        if (challenge === undefined) {
          this.fail(socket, 'RAFT_WS_BAD_HANDSHAKE', 'malformed challenge');
          return;
        }
        proofContext = {
          clusterId: options.clusterId,
          clientId: options.id,
          serverId: this.id,
          serverNonce: challenge.nonce,
          clientNonce,
        };
        const proof = computeProof(options.secret, 'client-to-server', proofContext);
        socket.send(
          encodeHandshake({
            type: 'hello',
            version: PROTOCOL_VERSION,
            clusterId: options.clusterId,
            from: options.id,
            to: this.id,
            nonce: clientNonce,
            proof,
          }),
        );
        return;
      }
      const welcome = parseWelcome(text);
      if (welcome === undefined) {
        this.fail(socket, 'RAFT_WS_BAD_HANDSHAKE', 'malformed welcome');
        return;
      }
      // Mutual authentication: a server that cannot prove the secret gets nothing from us.
      if (
        options.secret !== undefined &&
        !verifyProof(options.secret, 'server-to-client', proofContext, welcome.proof)
      ) {
        this.fail(socket, 'RAFT_WS_AUTH_FAILED', 'the peer could not prove it knows the cluster secret');
        return;
      }
      open = true;
      this.onOpen(socket);
    });
    socket.on('pong', () => {
      if (socket === this.socket) this.lastHeard = performance.now();
    });
    socket.on('error', (error) => {
      if (socket === this.socket) this.lastFailure = error.message;
    });
    socket.on('close', (code, reason) => {
      if (socket === this.socket) this.onClosed(code, String(reason));
    });
  }

  private onOpen(socket: WebSocket): void {
    clearTimeout(this.handshakeTimer);
    this.state = 'open';
    this.attempt = 0;
    this.connections++;
    this.lastHeard = performance.now();
    this.context.logger.debug('connected to peer', { peer: this.id, url: this.url });
    const { pingIntervalMs, deadPeerTimeoutMs } = this.context.options.keepalive;
    this.keepaliveTimer = setInterval(() => {
      if (performance.now() - this.lastHeard > deadPeerTimeoutMs) {
        this.context.connectionError('RAFT_WS_DEAD_PEER', 'no pong from the peer: connection closed', {
          peer: this.id,
          url: this.url,
        });
        // A dead network would never complete a close handshake: drop the socket at once.
        this.abandon(undefined);
        this.scheduleReconnect();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, pingIntervalMs);
    this.keepaliveTimer.unref();
    if (this.queue.length > 0 || this.snapshotQueue.length > 0) this.scheduleFlush();
  }

  private onClosed(code: number, reason: string): void {
    const wasOpen = this.state === 'open';
    this.socket = undefined;
    this.clearTimers();
    const details = { peer: this.id, url: this.url, closeCode: code, reason: reason || this.lastFailure };
    if (code >= 4000 && code < 5000) this.context.logger.warn('the peer closed the connection', details);
    else if (wasOpen) this.context.logger.info('connection to the peer lost', details);
    else this.context.logger.debug('could not connect to the peer', details);
    this.scheduleReconnect();
  }

  /** Closes `socket` for `code` (counted and logged) and schedules the next attempt. */
  private fail(socket: WebSocket, code: ConnectionErrorCode, message: string): void {
    if (socket !== this.socket) return;
    this.context.connectionError(code, message, { peer: this.id, url: this.url });
    this.abandon(code);
    this.scheduleReconnect();
  }

  /** Detaches the current socket (its later events are ignored) and closes it. */
  private abandon(code: ConnectionErrorCode | undefined): void {
    const socket = this.socket;
    this.socket = undefined;
    this.clearTimers();
    if (socket === undefined) return;
    if (code !== undefined && socket.readyState === WebSocket.OPEN) {
      socket.close(CLOSE_CODE_OF[code], code);
      // Do not wait for a peer we no longer trust to answer the close.
      setTimeout(() => socket.terminate(), 1_000).unref();
    } else {
      socket.terminate();
    }
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    this.clearTimers();
    this.state = 'backoff';
    const delay = backoffDelay(this.attempt++, this.context.options.reconnect, this.context.random);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.handshakeTimer);
    clearInterval(this.keepaliveTimer);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Everything queued by the code running now (a whole Ready's messages, say) leaves in one frame, or
    // a few if over maxFrameBytes. A microtask rather than setImmediate: it batches the same synchronous
    // sends without waiting for another event-loop turn (half the round-trip latency in the benchmark).
    queueMicrotask(() => this.flush());
  }

  /** Resumes a flush that stopped at a backed-up socket once a frame has left it. */
  private readonly onWritten = (error?: Error | null): void => {
    // Node passes null, not undefined, for a successful write.
    if ((error !== undefined && error !== null) || this.state !== 'open') return;
    if (this.queue.length > 0 || this.snapshotQueue.length > 0) this.scheduleFlush();
  };

  private flush(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    if (this.state !== 'open' || socket === undefined) return;
    const { maxFrameBytes, maxBufferedBytes, snapshotLane } = this.context.options;
    // Normal lane first, all of it: heartbeats, votes, appends and responses never wait for chunks
    // still queued. A slow peer's socket backs up: stop writing and let the bounded queue absorb
    // (then drop) the rest. The write callbacks of what is in flight resume the flush once it drains.
    while (this.queue.length > 0) {
      if (socket.bufferedAmount > maxBufferedBytes) return;
      this.write(socket, this.queue.take(maxFrameBytes));
    }
    // Then snapshot chunks, one small frame at a time and only while the socket's backlog is below the
    // lane's (lower) limit: whatever is queued next in the normal lane waits behind at most that many
    // chunk bytes already written, plus one frame.
    const chunkBudget = Math.min(maxFrameBytes, snapshotLane.maxBufferedBytes);
    const chunkBacklog = Math.min(maxBufferedBytes, snapshotLane.maxBufferedBytes);
    while (this.snapshotQueue.length > 0) {
      if (socket.bufferedAmount > chunkBacklog) return;
      this.write(socket, this.snapshotQueue.take(chunkBudget));
    }
  }

  /** Encodes `batch` as one frame and writes it, or drops what cannot go. */
  private write(socket: WebSocket, batch: Message[]): void {
    const frame = this.encode(batch);
    if (frame === undefined) return;
    if (frame.length > this.context.options.maxFrameBytes) {
      for (const message of batch) this.context.drop('oversized', this.id, message);
      return;
    }
    socket.send(frame, { binary: true }, this.onWritten);
    const counters = this.context.counters;
    counters.framesSent++;
    counters.messagesSent += batch.length;
    counters.bytesSent += frame.length;
  }

  /** The batch as one frame; a message the codec refuses is dropped and the rest sent without it. */
  private encode(batch: Message[]): Uint8Array | undefined {
    try {
      return encodeMessages(batch);
    } catch {
      const valid = batch.filter((message) => {
        try {
          encodeMessages([message]);
          return true;
        } catch (error) {
          this.context.logger.error('message cannot be encoded: dropped', {
            peer: this.id,
            error: String(error),
          });
          this.context.drop('unencodable', this.id, message);
          return false;
        }
      });
      batch.length = 0;
      batch.push(...valid);
      return valid.length === 0 ? undefined : encodeMessages(valid);
    }
  }
}
