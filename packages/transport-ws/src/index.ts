export type { ConnectionErrorCode } from './errors.js';
export { MissingSecretError } from './errors.js';
export type { ListenAddress } from './inbound-server.js';
export type { LogDetails, TransportLogger } from './logger.js';
export { consoleLogger } from './logger.js';
export type {
  KeepaliveOptions,
  PemSource,
  ReconnectOptions,
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
