import type { Duplex } from 'node:stream';
import { DecodeError, decodeMessages, type Message, type NodeId } from '@raft/core';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODE_OF, type ConnectionErrorCode } from './errors.js';
import {
  computeProof,
  encodeHandshake,
  MAX_HANDSHAKE_BYTES,
  newNonce,
  PROTOCOL_VERSION,
  type ProofContext,
  parseHello,
  verifyProof,
} from './handshake.js';
import { MAX_ID_BYTES } from './options.js';
import type { TransportContext } from './transport-context.js';

/** What an inbound connection tells the server that accepted it. */
export interface InboundEvents {
  /** The handshake succeeded (or failed): the connection no longer counts as pending. */
  settled(connection: InboundConnection): void;
  /** The peer proved who it is; it may now send messages. */
  authenticated(connection: InboundConnection): void;
  /** The socket is gone. */
  closed(connection: InboundConnection): void;
}

/** How long a connection we closed may linger for its close handshake before it is cut. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Most bytes a connection may send after its upgrade request and before it authenticates: a hello
 * (at most MAX_HANDSHAKE_BYTES plus a frame header) with room to spare for pings. Counted on the raw
 * socket, so `ws` never holds more than this plus one socket read (64 KiB) for an unauthenticated
 * client, whatever length its frame headers announce.
 */
export const MAX_PRE_AUTH_BYTES = 2 * MAX_HANDSHAKE_BYTES;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * One connection a peer dialed to this node: it must authenticate first (see `handshake.ts`), then it
 * may only send batch frames of the core codec, whose messages must come from the authenticated peer
 * and be addressed to this node. Any violation closes it with a logged, counted reason.
 */
export class InboundConnection {
  /** The authenticated peer, once the handshake succeeded. */
  peerId: NodeId | undefined;
  /** `performance.now()` when anything (a frame, a ping) last arrived. */
  lastHeard = performance.now();
  private phase: 'handshake' | 'open' | 'closed' = 'handshake';
  private readonly serverNonce = newNonce();
  private readonly handshakeTimer: NodeJS.Timeout;
  private preAuthBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    /** The upgraded TCP (or TLS) socket under `socket`: its bytes are counted until authentication. */
    private readonly rawSocket: Duplex,
    readonly remoteAddress: string,
    private readonly context: TransportContext,
    private readonly events: InboundEvents,
  ) {
    socket.binaryType = 'nodebuffer';
    rawSocket.on('data', this.countPreAuthBytes);
    socket.on('message', (data, isBinary) => this.onMessage(toBuffer(data), isBinary));
    socket.on('ping', () => {
      this.lastHeard = performance.now();
    });
    socket.on('error', (error) => this.onSocketError(error));
    socket.on('close', () => this.onClose());
    this.handshakeTimer = setTimeout(
      () => this.reject('RAFT_WS_HANDSHAKE_TIMEOUT', 'the peer did not complete the handshake in time'),
      context.options.handshakeTimeoutMs,
    );
    this.handshakeTimer.unref();
    socket.send(encodeHandshake({ type: 'challenge', version: PROTOCOL_VERSION, nonce: this.serverNonce }));
  }

  get isPending(): boolean {
    return this.phase === 'handshake';
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** Closes the connection for `code`, counted and logged, unless it is already closed. */
  reject(code: ConnectionErrorCode, reason: string, details: Record<string, unknown> = {}): void {
    if (this.phase === 'closed') return;
    this.context.connectionError(code, reason, {
      ...details,
      peer: this.peerId,
      remoteAddress: this.remoteAddress,
    });
    this.closeWith(code);
  }

  /** Closes the connection with `code` sent to the peer, without counting it (for stop and removal). */
  closeWith(code: ConnectionErrorCode | 'going-away'): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.handshakeTimer);
    this.events.settled(this);
    const socket = this.socket;
    if (socket.readyState === socket.OPEN) {
      if (code === 'going-away') socket.close(1001, 'going away');
      else socket.close(CLOSE_CODE_OF[code], code);
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    } else {
      socket.terminate();
    }
  }

  /** Cuts the socket at once (a dead peer cannot complete a close handshake). */
  terminate(): void {
    this.phase = 'closed';
    clearTimeout(this.handshakeTimer);
    this.events.settled(this);
    this.socket.terminate();
  }

  /**
   * Until the peer authenticates, the bytes it sends are bounded whatever frame length it announces
   * (`ws` would buffer up to `maxFrameBytes` of one frame): past MAX_PRE_AUTH_BYTES the socket is cut
   * at once, also during the close grace of a connection already rejected.
   */
  private readonly countPreAuthBytes = (chunk: Buffer | string): void => {
    this.preAuthBytes += chunk.length;
    if (this.preAuthBytes <= MAX_PRE_AUTH_BYTES) return;
    this.rawSocket.off('data', this.countPreAuthBytes);
    if (this.phase !== 'closed') {
      this.context.connectionError('RAFT_WS_BAD_HANDSHAKE', 'too many bytes before authenticating', {
        bytes: this.preAuthBytes,
        limit: MAX_PRE_AUTH_BYTES,
        remoteAddress: this.remoteAddress,
      });
    }
    this.terminate();
  };

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.phase === 'closed') return;
    this.lastHeard = performance.now();
    if (this.phase === 'handshake') this.onHandshake(data, isBinary);
    else this.onFrame(data, isBinary);
  }

  private onHandshake(data: Buffer, isBinary: boolean): void {
    const { options } = this.context;
    if (isBinary || data.length > MAX_HANDSHAKE_BYTES) {
      this.reject('RAFT_WS_BAD_HANDSHAKE', 'expected a hello', { bytes: data.length, binary: isBinary });
      return;
    }
    const hello = parseHello(data.toString('utf8'));
    if (hello === undefined) {
      this.reject('RAFT_WS_BAD_HANDSHAKE', 'malformed hello');
      return;
    }
    const claimed = { claimedPeer: hello.from };
    if (hello.clusterId !== options.clusterId) {
      this.reject('RAFT_WS_WRONG_CLUSTER', 'the peer belongs to another cluster', {
        ...claimed,
        clusterId: hello.clusterId,
      });
      return;
    }
    if (hello.to !== options.id) {
      this.reject('RAFT_WS_UNKNOWN_PEER', 'the peer dialed another node id', {
        ...claimed,
        dialed: hello.to,
      });
      return;
    }
    if (hello.from === options.id || !this.context.isKnownPeer(hello.from)) {
      this.reject('RAFT_WS_UNKNOWN_PEER', 'the peer is not in the address book', claimed);
      return;
    }
    const proofContext: ProofContext = {
      clusterId: options.clusterId,
      clientId: hello.from,
      serverId: options.id,
      serverNonce: this.serverNonce,
      clientNonce: hello.nonce,
    };
    if (
      options.secret !== undefined &&
      !verifyProof(options.secret, 'client-to-server', proofContext, hello.proof)
    ) {
      this.reject('RAFT_WS_AUTH_FAILED', 'the peer could not prove it knows the cluster secret', claimed);
      return;
    }
    this.socket.send(
      encodeHandshake({
        type: 'welcome',
        proof: computeProof(options.secret, 'server-to-client', proofContext),
      }),
    );
    clearTimeout(this.handshakeTimer);
    this.rawSocket.off('data', this.countPreAuthBytes);
    this.phase = 'open';
    this.peerId = hello.from;
    this.events.settled(this);
    this.events.authenticated(this);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    const { options, counters } = this.context;
    if (!isBinary) {
      this.reject('RAFT_WS_BAD_FRAME', 'text frame after the handshake');
      return;
    }
    counters.framesReceived++;
    counters.bytesReceived += data.length;
    // ws may hand out a view into a larger socket chunk; decoded payloads are views into the frame, so
    // copy the frame to its own buffer first rather than let a small entry pin a large chunk.
    const frame = data.byteLength === data.buffer.byteLength ? data : Uint8Array.prototype.slice.call(data);
    let messages: Message[];
    try {
      messages = decodeMessages(frame, { maxFrameBytes: options.maxFrameBytes, maxIdBytes: MAX_ID_BYTES });
    } catch (error) {
      this.reject('RAFT_WS_BAD_FRAME', 'undecodable frame', {
        error: error instanceof DecodeError ? error.message : String(error),
      });
      return;
    }
    const peer = this.peerId!;
    for (const message of messages) {
      // Authentication binds the connection to one node: it cannot speak for another.
      if (message.from !== peer) this.context.drop('wrong-sender', peer, message);
      else if (message.to !== options.id) this.context.drop('wrong-recipient', peer, message);
      else this.context.deliver(message);
      if (this.phase === 'closed') return;
    }
  }

  private onSocketError(error: Error & { code?: string }): void {
    if (this.phase === 'closed') return;
    // ws closes the socket itself after an error; here we only name the reason.
    const details = { error: error.message, wsCode: error.code };
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.reject('RAFT_WS_FRAME_TOO_LARGE', 'frame above maxFrameBytes', details);
    } else if (error.code?.startsWith('WS_ERR_') === true) {
      this.reject(
        this.phase === 'handshake' ? 'RAFT_WS_BAD_HANDSHAKE' : 'RAFT_WS_BAD_FRAME',
        'WebSocket protocol violation',
        details,
      );
    } else {
      this.context.logger.debug('inbound socket error', { ...details, peer: this.peerId });
    }
  }

  private onClose(): void {
    this.phase = 'closed';
    clearTimeout(this.handshakeTimer);
    this.events.settled(this);
    this.events.closed(this);
  }
}
