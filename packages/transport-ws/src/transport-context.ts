import type { Message, NodeId, RandomSource } from '@raft/core';
import type { ConnectionErrorCode } from './errors.js';
import type { LogDetails, TransportLogger } from './logger.js';
import type { ResolvedOptions } from './options.js';
import type { Counters, DropReason } from './transport-stats.js';

/** What the outbound peers and the inbound server share with the transport that owns them. */
export interface TransportContext {
  readonly options: ResolvedOptions;
  readonly logger: TransportLogger;
  readonly random: RandomSource;
  readonly counters: Counters;
  /** Counts and reports one dropped message. */
  drop(reason: DropReason, peer: NodeId, message: Message): void;
  /** Counts and logs (as a warning unless `level` says otherwise) a connection closed or refused for `code`. */
  connectionError(
    code: ConnectionErrorCode,
    message: string,
    details: LogDetails,
    level?: 'info' | 'warn',
  ): void;
  /** Whether `id` is in the current address book (only such peers may connect). */
  isKnownPeer(id: NodeId): boolean;
  /** Hands a received, checked message to the handler given to `start`. */
  deliver(message: Message): void;
}
