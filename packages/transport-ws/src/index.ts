/**
 * An authenticated, resilient WebSocket transport for `@raft/core`.
 *
 * @example
 * ```ts
 * import { webSocketTransport } from '@raft/transport-ws';
 *
 * const transport = webSocketTransport({
 *   id: 'n1',
 *   listen: { host: '0.0.0.0', port: 7001 },
 *   peers: { n2: 'ws://10.0.0.2:7001', n3: 'ws://10.0.0.3:7001' },
 *   clusterId: 'orders',
 *   secret: process.env.RAFT_CLUSTER_SECRET,
 * });
 * // Hand it to createRaftNode({ id: 'n1', transport, ... }), which starts and stops it.
 * ```
 *
 * @packageDocumentation
 */
export type { ConnectionErrorCode } from './errors.js';
export { MissingSecretError } from './errors.js';
export type { ListenAddress } from './inbound-server.js';
export type { LogDetails, TransportLogger } from './logger.js';
export { consoleLogger } from './logger.js';
export type {
  KeepaliveOptions,
  PemSource,
  ReconnectOptions,
  SnapshotLaneOptions,
  WebSocketTlsOptions,
  WebSocketTransportOptions,
} from './options.js';
export type {
  DroppedMessage,
  DropReason,
  PeerConnectionState,
  PeerStats,
  WebSocketTransportStats,
} from './transport-stats.js';
export type { WebSocketTransport, WebSocketTransportComponents } from './web-socket-transport.js';
export { webSocketTransport } from './web-socket-transport.js';
