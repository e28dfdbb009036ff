import type { Message } from '../engine/messages.js';
import { InvalidOptionsError } from '../engine/options.js';
import type { NodeId, RandomSource } from '../engine/types.js';
import { StoppedError } from '../errors.js';
import type { MessageDroppedEvent, MessageDropReason } from '../interfaces/observer.js';
import type { MessageHandler, Transport } from '../interfaces/transport.js';
import { cloneMessage } from './clone-message.js';

/** Options of {@link memoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Source of randomness in [0, 1) for the drop rate; inject a seeded one for repeatable runs. Default Math.random. */
  readonly random?: RandomSource;
  /**
   * Called for every message the network drops, with the `message-dropped` event a node's `Observer`
   * takes and the id of the node that sent it (so one network can feed each sender's observer).
   * Reasons: `injected` (the drop rate), `unreachable` (the link is cut, or the receiver is unknown,
   * not started or stopped at delivery), `stopped` (the sender was stopped before delivery, or sent
   * after stopping). Called in a later microtask, never inside `send`, so the sender's own
   * `messages-sent` event comes first. Must not throw: an error it throws surfaces as an unhandled
   * promise rejection, and delivery of other messages goes on.
   *
   * @example
   * ```ts
   * const observers = new Map<NodeId, Observer>();
   * const network = memoryNetwork({ onDrop: (event, from) => observers.get(from)?.(event) });
   * ```
   */
  readonly onDrop?: (event: MessageDroppedEvent, from: NodeId) => void;
}

/** An in-process network of nodes, with faults a test can switch on and off. */
export interface MemoryNetwork {
  /**
   * The transport of node `id`. One per node: asking again returns the same transport until it is
   * stopped; after that a new one is made (a restarted node), and messages for `id` go to it.
   */
  transport(id: NodeId): Transport;
  /** Cut the link between `a` and `b`, both directions. Messages already in flight on it are lost. */
  disconnect(a: NodeId, b: NodeId): void;
  /** Restore the link between `a` and `b`, both directions, whatever cut it (disconnect or isolate). */
  connect(a: NodeId, b: NodeId): void;
  /** Cut every link of `id`, including to nodes that join later, until {@link heal} or {@link connect}. */
  isolate(id: NodeId): void;
  /** Restore every link: undo all disconnects and isolations. The drop rate is left as it is. */
  heal(): void;
  /**
   * Drop each message sent from now on with probability `p` (0 = none, the default; 1 = all).
   * Throws `InvalidOptionsError` (code `RAFT_INVALID_OPTIONS`) unless 0 <= p <= 1.
   */
  setDropRate(p: number): void;
}

/**
 * An in-process network for tests, simulations and embedding several nodes in one process.
 *
 * Delivery is asynchronous and never re-entrant: `send` queues each message as a microtask, so a
 * handler never runs inside the sender's `send`, and an in-process test that awaits a few ticks of the
 * event loop sees the same order every time. Each message arrives as a structural copy (the receiver
 * shares no mutable object with the sender; `Uint8Array` bytes are shared, being immutable by contract).
 *
 * Messages are routed by their `to` node id: every node on this network is reachable, and the address
 * book given to `setPeers` is ignored. A message is dropped when its node is unknown, not started or
 * stopped, when its sender was stopped before delivery, when the link between the two is cut at
 * delivery time, or by the drop rate (decided at send time); drops are silent unless an `onDrop`
 * callback is given.
 *
 * @example
 * ```ts
 * const network = memoryNetwork();
 * const a = network.transport('a');
 * await network.transport('b').start((message) => console.log(message.type));
 * a.send([{ type: 'TimeoutNow', from: 'a', to: 'b', term: 1 }]);
 * network.isolate('b'); // from now on b hears nothing and reaches nobody
 * ```
 */
export function memoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  return new InMemoryNetwork(options.random ?? Math.random, options.onDrop);
}

type DropCallback = NonNullable<MemoryNetworkOptions['onDrop']>;

class InMemoryNetwork implements MemoryNetwork {
  private readonly nodes = new Map<NodeId, MemoryTransport>();
  private readonly cutLinks = new Set<string>();
  private readonly isolated = new Set<NodeId>();
  /** Links restored by `connect` although an end is isolated, by link key, with their two ends. */
  private readonly exemptLinks = new Map<string, readonly [NodeId, NodeId]>();
  private dropRate = 0;

  constructor(
    private readonly random: RandomSource,
    private readonly onDrop: DropCallback | undefined,
  ) {}

  transport(id: NodeId): Transport {
    const existing = this.nodes.get(id);
    if (existing !== undefined && !existing.stopped) return existing;
    const created = new MemoryTransport(id, this);
    this.nodes.set(id, created);
    return created;
  }

  disconnect(a: NodeId, b: NodeId): void {
    const link = linkKey(a, b);
    this.cutLinks.add(link);
    this.exemptLinks.delete(link);
  }

  connect(a: NodeId, b: NodeId): void {
    const link = linkKey(a, b);
    this.cutLinks.delete(link);
    if (this.isolated.has(a) || this.isolated.has(b)) this.exemptLinks.set(link, [a, b]);
  }

  isolate(id: NodeId): void {
    this.isolated.add(id);
    // A fresh isolation cuts the links a previous connect() had exempted.
    for (const [link, ends] of this.exemptLinks) {
      if (ends.includes(id)) this.exemptLinks.delete(link);
    }
  }

  heal(): void {
    this.cutLinks.clear();
    this.isolated.clear();
    this.exemptLinks.clear();
  }

  setDropRate(p: number): void {
    if (!(p >= 0 && p <= 1)) throw new InvalidOptionsError(`drop rate must be in [0, 1], got ${p}`);
    this.dropRate = p;
  }

  /** Queue `message` from `sender`; it is delivered in a later microtask if nothing drops it. */
  post(sender: MemoryTransport, message: Message): void {
    // Only draw when dropping is on, so a seeded run's draws do not depend on fault-free traffic.
    if (this.dropRate > 0 && this.random() < this.dropRate) {
      this.dropLater(sender.id, message, 'injected');
      return;
    }
    const copy = cloneMessage(message);
    // A resolved promise is a microtask in every runtime, with no DOM or Node typings needed.
    void Promise.resolve().then(() => this.deliver(sender, copy));
  }

  /** Report a message `sender` tried to send while stopped. */
  sentWhileStopped(sender: MemoryTransport, messages: readonly Message[]): void {
    for (const message of messages) this.dropLater(sender.id, message, 'stopped');
  }

  private deliver(sender: MemoryTransport, message: Message): void {
    if (sender.stopped) this.drop(sender.id, message, 'stopped');
    else if (!this.linked(sender.id, message.to)) this.drop(sender.id, message, 'unreachable');
    else if (this.nodes.get(message.to)?.receive(message) !== true) {
      this.drop(sender.id, message, 'unreachable');
    }
  }

  /** Report a drop from a later microtask, like a delivery: never inside the sender's `send`. */
  private dropLater(from: NodeId, message: Message, reason: MessageDropReason): void {
    if (this.onDrop === undefined) return;
    const event = dropEvent(message, reason);
    void Promise.resolve().then(() => this.report(event, from));
  }

  private drop(from: NodeId, message: Message, reason: MessageDropReason): void {
    if (this.onDrop !== undefined) this.report(dropEvent(message, reason), from);
  }

  private report(event: MessageDroppedEvent, from: NodeId): void {
    try {
      this.onDrop?.(event, from);
    } catch (error) {
      // Not the sender's or the receiver's fault: surface it without breaking delivery.
      void Promise.reject(error);
    }
  }

  private linked(a: NodeId, b: NodeId): boolean {
    if (a === b) return true;
    const link = linkKey(a, b);
    if (this.cutLinks.has(link)) return false;
    return this.exemptLinks.has(link) || !(this.isolated.has(a) || this.isolated.has(b));
  }
}

class MemoryTransport implements Transport {
  private handler: MessageHandler | undefined;
  stopped = false;

  constructor(
    readonly id: NodeId,
    private readonly network: InMemoryNetwork,
  ) {}

  /** Rejects with `StoppedError` once stopped: a restarted node asks the network for a new transport. */
  async start(handler: MessageHandler): Promise<void> {
    if (this.stopped) throw new StoppedError(`the transport of ${this.id} was stopped`);
    this.handler = handler;
  }

  send(messages: readonly Message[]): void {
    if (this.stopped) {
      this.network.sentWhileStopped(this, messages);
      return;
    }
    for (const message of messages) this.network.post(this, message);
  }

  setPeers(_peers: ReadonlyMap<NodeId, string>): void {
    // Routing is by node id: every node on the network is reachable, so addresses are not needed.
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.handler = undefined;
  }

  /** Hands `message` to the node; false when there is nobody to take it (not started, or stopped). */
  receive(message: Message): boolean {
    if (this.stopped || this.handler === undefined) return false;
    this.handler(message);
    return true;
  }
}

function dropEvent(message: Message, reason: MessageDropReason): MessageDroppedEvent {
  return { type: 'message-dropped', messageType: message.type, to: message.to, reason };
}

/** The same key for (a, b) and (b, a); JSON keeps ids containing any character apart. */
function linkKey(a: NodeId, b: NodeId): string {
  return JSON.stringify(a < b ? [a, b] : [b, a]);
}
