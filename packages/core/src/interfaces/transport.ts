import type { Message } from '../engine/messages.js';
import type { NodeId } from '../engine/types.js';

/** Called for every message a transport receives. Must not throw; must not block. */
export type MessageHandler = (message: Message) => void;

/**
 * Moves messages between nodes. Delivery is best effort: a transport may drop, delay, duplicate or
 * reorder, and Raft stays correct. Implementations: the in-process `memoryNetwork()` here,
 * `@raft/transport-ws`, or yours; run `describeTransport` from `@raft/testkit` against it.
 */
export interface Transport {
  /** Begin receiving; every received message goes to `handler`. */
  start(handler: MessageHandler): Promise<void>;
  /** Queue messages for their `to` node. Never throws for an unknown or unreachable peer: it drops. */
  send(messages: readonly Message[]): void;
  /** Replace the address book (node id to address). Called when membership changes. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void;
  /** Stop sending and receiving and release resources. */
  stop(): Promise<void>;
}
