import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NodeId } from '@raft/core';
import { WebSocketServer } from 'ws';
import { MAX_HANDSHAKE_BYTES } from './handshake.js';
import { InboundConnection } from './inbound-connection.js';
import { tlsServerOptions } from './tls-options.js';
import type { TransportContext } from './transport-context.js';

/** The address a transport listens on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** The path of a request target, or undefined if it does not parse (it comes from the network). */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'ws://localhost').pathname;
  } catch {
    return undefined;
  }
}

function refuseHttp(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { Connection: 'close', Upgrade: 'websocket' }).end();
}

/**
 * The receiving side: takes WebSocket upgrades on a server of its own (`listen`) or a shared one
 * (`server`), authenticates each connection, keeps at most one authenticated connection per peer, and
 * closes connections that fall silent.
 */
export class InboundServer {
  private server: HttpServer | HttpsServer | undefined;
  private ownsServer = false;
  private readonly wss: WebSocketServer;
  private readonly pending = new Set<InboundConnection>();
  /**
   * Connections to a server of our own that have not sent a complete upgrade request yet, by remote
   * address and port (the same for a TLS socket and the TCP socket under it).
   */
  private readonly preUpgrade = new Map<string, Socket>();
  private readonly connections = new Set<InboundConnection>();
  private readonly byPeer = new Map<NodeId, InboundConnection>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly context: TransportContext) {
    this.wss = new WebSocketServer({
      noServer: true,
      // A handshake needs a few hundred bytes, so the frame limit never cuts one short.
      maxPayload: Math.max(context.options.maxFrameBytes, MAX_HANDSHAKE_BYTES),
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  async start(): Promise<void> {
    const { options } = this.context;
    let server = options.server;
    if (server === undefined) {
      server =
        options.tls === undefined
          ? createHttpServer(refuseHttp)
          : createHttpsServer(tlsServerOptions(options.tls), refuseHttp);
      // Bound how long a connection may dawdle before its upgrade request is complete.
      server.headersTimeout = options.handshakeTimeoutMs;
      server.requestTimeout = options.handshakeTimeoutMs;
      // An idle connection that never completes an upgrade is cut (ws clears this timeout on upgrade).
      server.timeout = options.handshakeTimeoutMs;
      this.ownsServer = true;
    }
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    server.on('tlsClientError', this.onTlsClientError);
    if (this.ownsServer) server.on('connection', this.onConnection);
    if (this.ownsServer && options.listen !== undefined) {
      const { host, port } = options.listen;
      const listening = server;
      try {
        await new Promise<void>((resolve, reject) => {
          listening.once('error', reject);
          listening.listen(port, host, () => {
            listening.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        this.detach();
        throw error;
      }
      server.on('error', (error) => this.context.logger.error('server error', { error: String(error) }));
    }
    this.sweepTimer = setInterval(() => this.sweep(), options.keepalive.pingIntervalMs);
    this.sweepTimer.unref();
  }

  /** Where the server listens, once started. */
  address(): ListenAddress | undefined {
    const info = this.server?.address();
    if (info === null || info === undefined || typeof info === 'string') return undefined;
    return { host: (info as AddressInfo).address, port: (info as AddressInfo).port };
  }

  /** Whether an authenticated connection from `peer` is open. */
  hasConnectionFrom(peer: NodeId): boolean {
    return this.byPeer.has(peer);
  }

  /** Closes the connections of peers that are no longer in the address book. */
  dropUnknownPeers(): void {
    for (const [peer, connection] of this.byPeer) {
      if (this.context.isKnownPeer(peer)) continue;
      this.context.logger.info('peer removed from the address book: connection closed', { peer });
      this.byPeer.delete(peer);
      connection.closeWith('RAFT_WS_UNKNOWN_PEER');
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    for (const connection of this.connections) connection.terminate();
    this.connections.clear();
    this.byPeer.clear();
    this.pending.clear();
    this.wss.close();
    const server = this.server;
    this.detach();
    if (server !== undefined && this.ownsServer) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private detach(): void {
    this.server?.off('upgrade', this.onUpgrade);
    this.server?.off('tlsClientError', this.onTlsClientError);
    this.server?.off('connection', this.onConnection);
    this.preUpgrade.clear();
  }

  private unauthenticatedCount(): number {
    return this.preUpgrade.size + this.pending.size;
  }

  /**
   * A new TCP connection to a server of our own. Until it upgrades and authenticates it counts against
   * `maxPendingHandshakes` with those authenticating: with the per-connection byte bounds (HTTP
   * headers, MAX_PRE_AUTH_BYTES) this bounds what unauthenticated clients can make the node hold.
   */
  private readonly onConnection = (socket: Socket): void => {
    if (this.stopping || this.unauthenticatedCount() >= this.context.options.maxPendingHandshakes) {
      this.context.connectionError('RAFT_WS_TOO_MANY_HANDSHAKES', 'too many connections authenticating', {
        remoteAddress: socket.remoteAddress,
      });
      socket.destroy();
      return;
    }
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    this.preUpgrade.set(key, socket);
    socket.once('close', () => {
      if (this.preUpgrade.get(key) === socket) this.preUpgrade.delete(key);
    });
  };

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { options } = this.context;
    // No longer waiting for its upgrade request: from here it counts as pending (or is refused).
    this.preUpgrade.delete(`${request.socket.remoteAddress}|${request.socket.remotePort}`);
    if (options.path !== undefined && pathOf(request.url) !== options.path) {
      // On a shared server another upgrade listener may want this request.
      if (this.ownsServer) socket.destroy();
      return;
    }
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.unauthenticatedCount() >= options.maxPendingHandshakes) {
      this.context.connectionError('RAFT_WS_TOO_MANY_HANDSHAKES', 'too many connections authenticating', {
        remoteAddress: request.socket.remoteAddress,
      });
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (this.stopping) {
        ws.terminate();
        return;
      }
      const connection = new InboundConnection(
        ws,
        socket,
        request.socket.remoteAddress ?? '',
        this.context,
        this.events,
      );
      this.connections.add(connection);
      if (connection.isPending) this.pending.add(connection);
    });
  };

  private readonly events = {
    settled: (connection: InboundConnection) => {
      this.pending.delete(connection);
    },
    authenticated: (connection: InboundConnection) => {
      const peer = connection.peerId!;
      const previous = this.byPeer.get(peer);
      this.byPeer.set(peer, connection);
      // The peer redialed (it restarted, or its old connection is half dead): keep only the newest.
      if (previous !== undefined) {
        this.context.connectionError(
          'RAFT_WS_REPLACED',
          'a newer connection from the peer replaced this one',
          { peer },
          'info',
        );
        previous.closeWith('RAFT_WS_REPLACED');
      }
    },
    closed: (connection: InboundConnection) => {
      this.connections.delete(connection);
      if (connection.peerId !== undefined && this.byPeer.get(connection.peerId) === connection) {
        this.byPeer.delete(connection.peerId);
      }
    },
  };

  private readonly onTlsClientError = (
    error: Error,
    socket: { remoteAddress?: string | undefined },
  ): void => {
    this.context.connectionError('RAFT_WS_TLS_REJECTED', 'TLS handshake failed', {
      error: error.message,
      remoteAddress: socket.remoteAddress,
    });
  };

  /** Closes authenticated connections that have heard nothing, not even a ping, for too long. */
  private sweep(): void {
    const { deadPeerTimeoutMs } = this.context.options.keepalive;
    const now = performance.now();
    for (const connection of this.connections) {
      if (connection.isOpen && now - connection.lastHeard > deadPeerTimeoutMs) {
        this.context.connectionError('RAFT_WS_DEAD_PEER', 'no ping from the peer: connection closed', {
          peer: connection.peerId,
        });
        connection.terminate();
      }
    }
  }
}
