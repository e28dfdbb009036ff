import {
  type Message,
  type MessageHandler,
  type NodeId,
  type Observer,
  type RaftEvent,
  type RandomSource,
  StoppedError,
  type Transport,
} from '@raft/core';
import { InboundServer, type ListenAddress } from './inbound-server.js';
import { consoleLogger, type TransportLogger } from './logger.js';
import {
  isPeerUrl,
  type ResolvedOptions,
  resolveOptions,
  type WebSocketTransportOptions,
} from './options.js';
import { OutboundPeer } from './outbound-peer.js';
import type { TransportContext } from './transport-context.js';
import {
  Counters,
  type DroppedMessage,
  type DropReason,
  type PeerStats,
  type WebSocketTransportStats,
} from './transport-stats.js';

type ObserverDropReason = Extract<RaftEvent, { type: 'message-dropped' }>['reason'];

/** How each outbound drop is reported to a core Observer; incoming drops are not (the event names a `to`). */
const OBSERVER_REASON: Readonly<Record<DropReason, ObserverDropReason | undefined>> = {
  'unknown-peer': 'unreachable',
  'peer-removed': 'unreachable',
  'queue-full': 'overflow',
  'snapshot-queue-full': 'overflow',
  oversized: 'error',
  unencodable: 'error',
  stopped: 'stopped',
  'wrong-sender': undefined,
  'wrong-recipient': undefined,
};

/** Injected collaborators of {@link webSocketTransport}, kept apart from its options. */
export interface WebSocketTransportComponents {
  /** Where connection events go. Default: warnings and errors to the console. */
  readonly logger?: TransportLogger;
  /** Called for every dropped message (also counted in `stats().dropped`). Must not throw. */
  readonly onDrop?: (drop: DroppedMessage) => void;
  /**
   * The core observer: receives a `message-dropped` event for every outbound drop (reasons mapped to
   * core's: `unknown-peer`/`peer-removed` → `unreachable`, `queue-full`/`snapshot-queue-full` → `overflow`,
   * `oversized`/`unencodable` → `error`, `stopped` → `stopped`). Pass the node's observer so one
   * observer sees both.
   */
  readonly observer?: Observer;
  /** Randomness in [0, 1) for the reconnection jitter. Default Math.random. */
  readonly random?: RandomSource;
}

/** A {@link Transport} over WebSockets, with the address it listens on and its counters. */
export interface WebSocketTransport extends Transport {
  /** Where this node listens (the actual port when `listen.port` was 0), once started. */
  address(): ListenAddress | undefined;
  /** Counters, drops by reason, connection errors by code, and the state of every peer. */
  stats(): WebSocketTransportStats;
}

/**
 * A Raft {@link Transport} over WebSockets (`ws`), authenticated and resilient.
 *
 * Each node listens for its peers and dials each peer once: messages to a peer go out on the
 * connection this node dialed, messages from a peer arrive on the connection that peer dialed. Every
 * connection first passes a mutual HMAC challenge-response over the cluster secret (bound to the
 * cluster id and both node ids); optionally it also runs over TLS with client certificates. Messages
 * sent to a peer by one synchronous run of code (all of a Ready's messages, whether in one `send` or
 * several) leave as one frame of the core codec, split at `maxFrameBytes`. Each peer
 * has a bounded queue that drops (and counts) rather than grows; connections reconnect with jittered
 * exponential backoff and are closed when a ping goes unanswered.
 *
 * @throws MissingSecretError (code `RAFT_WS_NO_SECRET`) with neither `secret` nor `insecure: true`.
 * @throws InvalidOptionsError (code `RAFT_INVALID_OPTIONS`) for any other bad option.
 *
 * @example
 * ```ts
 * const transport = webSocketTransport({
 *   id: 'n1',
 *   listen: { host: '127.0.0.1', port: 7001 },
 *   peers: { n2: 'ws://127.0.0.1:7002', n3: 'ws://127.0.0.1:7003' },
 *   clusterId: 'orders',
 *   secret: process.env.RAFT_SECRET,
 * });
 * await transport.start((message) => node.receive(message));
 * transport.send([{ type: 'TimeoutNow', from: 'n1', to: 'n2', term: 4 }]);
 * ```
 */
export function webSocketTransport(
  options: WebSocketTransportOptions,
  components: WebSocketTransportComponents = {},
): WebSocketTransport {
  return new WsTransport(resolveOptions(options), components);
}

class WsTransport implements WebSocketTransport {
  private phase: 'new' | 'running' | 'stopped' = 'new';
  private handler: MessageHandler | undefined;
  private peers: ReadonlyMap<NodeId, string>;
  private readonly outbound = new Map<NodeId, OutboundPeer>();
  private readonly inbound: InboundServer;
  private readonly context: TransportContext;
  private readonly logger: TransportLogger;

  constructor(
    private readonly options: ResolvedOptions,
    components: WebSocketTransportComponents,
  ) {
    this.peers = options.peers;
    const logger = components.logger ?? consoleLogger();
    this.logger = logger;
    const counters = new Counters();
    const onDrop = components.onDrop;
    const observer = components.observer;
    this.context = {
      options,
      logger,
      random: components.random ?? Math.random,
      counters,
      drop(reason, peer, message) {
        counters.dropped[reason]++;
        const observed = OBSERVER_REASON[reason];
        try {
          onDrop?.({ reason, peer, messageType: message.type });
          if (observer !== undefined && observed !== undefined) {
            observer({ type: 'message-dropped', messageType: message.type, to: peer, reason: observed });
          }
        } catch (error) {
          logger.error('a drop callback threw', { error: String(error) });
        }
      },
      connectionError(code, message, details, level = 'warn') {
        counters.connectionErrors[code]++;
        logger[level](message, { code, ...details });
      },
      isKnownPeer: (id) => this.peers.has(id),
      deliver: (message) => this.deliver(message),
    };
    this.inbound = new InboundServer(this.context);
  }

  /**
   * Starts listening. Rejects with the listening error (for example `EADDRINUSE`), or with
   * `StoppedError` (code `RAFT_STOPPED`) once stopped: make a new transport to restart a node.
   */
  async start(handler: MessageHandler): Promise<void> {
    if (this.phase === 'stopped') throw new StoppedError(`the transport of ${this.options.id} was stopped`);
    this.handler = handler;
    if (this.phase === 'running') return;
    if (this.options.secret === undefined) {
      this.logger.warn(
        '!!! INSECURE: no cluster secret. Any process that can reach this port can join the cluster, ' +
          'read its data and forge its messages. Never run like this outside a test. !!!',
        { id: this.options.id, insecure: true },
      );
    }
    this.phase = 'running';
    try {
      await this.inbound.start();
    } catch (error) {
      this.phase = 'new';
      throw error;
    }
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      const to = message.to;
      if (this.phase === 'stopped') {
        this.context.drop('stopped', to, message);
        continue;
      }
      if (to === this.options.id) {
        // A message to oneself never touches the network; deliver it asynchronously like the rest.
        queueMicrotask(() => this.deliver(message));
        continue;
      }
      const url = this.peers.get(to);
      if (url === undefined) {
        this.context.drop('unknown-peer', to, message);
        continue;
      }
      let peer = this.outbound.get(to);
      if (peer === undefined) {
        peer = new OutboundPeer(to, url, this.context);
        this.outbound.set(to, peer);
      }
      peer.send(message);
    }
  }

  /**
   * Replaces the address book. Removed peers lose their queued messages and their connections (both
   * directions); a changed address is redialed at once. An entry whose URL is not `ws://` or `wss://`
   * is logged and ignored.
   */
  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    const next = new Map<NodeId, string>();
    for (const [id, url] of peers) {
      if (isPeerUrl(url)) next.set(id, url);
      else
        this.logger.error('setPeers: not a ws:// or wss:// URL; peer ignored', {
          peer: id,
          url: String(url),
        });
    }
    this.peers = next;
    for (const [id, peer] of this.outbound) {
      const url = next.get(id);
      if (url === undefined) {
        peer.close('peer-removed');
        this.outbound.delete(id);
      } else {
        peer.setUrl(url);
      }
    }
    this.inbound.dropUnknownPeers();
  }

  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasRunning = this.phase === 'running';
    this.phase = 'stopped';
    this.handler = undefined;
    for (const peer of this.outbound.values()) peer.close('stopped');
    this.outbound.clear();
    if (wasRunning) await this.inbound.stop();
  }

  address(): ListenAddress | undefined {
    return this.phase === 'running' ? this.inbound.address() : undefined;
  }

  stats(): WebSocketTransportStats {
    const peers: PeerStats[] = [];
    for (const [id, url] of this.peers) {
      if (id === this.options.id) continue;
      const inbound = this.inbound.hasConnectionFrom(id);
      const peer = this.outbound.get(id);
      peers.push(
        peer?.stats(inbound) ?? {
          id,
          url,
          state: 'idle',
          inbound,
          queuedMessages: 0,
          queuedBytes: 0,
          snapshotQueuedMessages: 0,
          snapshotQueuedBytes: 0,
          bufferedBytes: 0,
          connections: 0,
        },
      );
    }
    return this.context.counters.snapshot(peers);
  }

  private deliver(message: Message): void {
    const handler = this.handler;
    if (this.phase !== 'running' || handler === undefined) return;
    this.context.counters.messagesReceived++;
    try {
      handler(message);
    } catch (error) {
      // The contract says a handler must not throw; one that does must not take the connection down.
      this.logger.error('message handler threw', { error: String(error), messageType: message.type });
    }
  }
}
