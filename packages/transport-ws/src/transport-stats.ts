import type { MessageType, NodeId } from '@raft/core';
import { CONNECTION_ERROR_CODES, type ConnectionErrorCode } from './errors.js';

/**
 * Why a message was dropped.
 * - `unknown-peer`: sent to a node id that is not in the address book.
 * - `queue-full`: the peer's queue was at `maxQueuedMessages` or `maxQueuedBytes` (a slow or
 *   unreachable peer).
 * - `snapshot-queue-full`: an `InstallSnapshot` chunk found the peer's snapshot lane at
 *   `snapshotLane.maxQueuedMessages` or `snapshotLane.maxQueuedBytes` (the leader resends it).
 * - `oversized`: the message alone encodes to more than `maxFrameBytes`.
 * - `unencodable`: the codec refused the message (a field out of range: a bug in the sender).
 * - `peer-removed`: still queued when `setPeers` removed its peer.
 * - `stopped`: sent after `stop()`, or still queued when it was called.
 * - `wrong-sender`: received on a connection authenticated as another node than the message's `from`.
 * - `wrong-recipient`: received, but addressed to another node than this one.
 */
export type DropReason =
  | 'unknown-peer'
  | 'queue-full'
  | 'snapshot-queue-full'
  | 'oversized'
  | 'unencodable'
  | 'peer-removed'
  | 'stopped'
  | 'wrong-sender'
  | 'wrong-recipient';

export const DROP_REASONS: readonly DropReason[] = [
  'unknown-peer',
  'queue-full',
  'snapshot-queue-full',
  'oversized',
  'unencodable',
  'peer-removed',
  'stopped',
  'wrong-sender',
  'wrong-recipient',
];

/** One dropped message, as given to the `onDrop` callback. */
export interface DroppedMessage {
  readonly reason: DropReason;
  /** The peer it was for (outgoing) or came from (incoming). */
  readonly peer: NodeId;
  readonly messageType: MessageType;
}

/** The state of the outbound connection to one peer. */
export type PeerConnectionState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

/** One peer, as seen by this node. */
export interface PeerStats {
  readonly id: NodeId;
  readonly url: string;
  /** The outbound (sending) connection. */
  readonly state: PeerConnectionState;
  /** Whether an authenticated inbound (receiving) connection from this peer is open. */
  readonly inbound: boolean;
  /** Messages waiting in the normal lane (everything but snapshot chunks). */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** `InstallSnapshot` chunks waiting in the low-priority snapshot lane. */
  readonly snapshotQueuedMessages: number;
  readonly snapshotQueuedBytes: number;
  /** Bytes written to the socket but not yet sent (`ws.bufferedAmount`). */
  readonly bufferedBytes: number;
  /** Outbound connections established to this peer so far. */
  readonly connections: number;
}

/** Counters since the transport was made. */
export interface WebSocketTransportStats {
  readonly messagesSent: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  /** Dropped messages, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Connections closed or refused by this node, by reason. */
  readonly connectionErrors: Readonly<Record<ConnectionErrorCode, number>>;
  readonly peers: readonly PeerStats[];
}

/** The mutable counters behind {@link WebSocketTransportStats}. */
export class Counters {
  messagesSent = 0;
  framesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  framesReceived = 0;
  bytesReceived = 0;
  readonly dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<
    DropReason,
    number
  >;
  readonly connectionErrors = Object.fromEntries(CONNECTION_ERROR_CODES.map((code) => [code, 0])) as Record<
    ConnectionErrorCode,
    number
  >;

  snapshot(peers: readonly PeerStats[]): WebSocketTransportStats {
    return {
      messagesSent: this.messagesSent,
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      messagesReceived: this.messagesReceived,
      framesReceived: this.framesReceived,
      bytesReceived: this.bytesReceived,
      dropped: { ...this.dropped },
      connectionErrors: { ...this.connectionErrors },
      peers,
    };
  }
}
