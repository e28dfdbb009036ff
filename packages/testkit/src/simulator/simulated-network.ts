import type { Message, MessageHandler, NodeId, Transport } from '@raft/core';
import { cloneMessage } from './clone-message.js';
import type { Prng } from './prng.js';
import type { EventOwner, VirtualScheduler } from './virtual-scheduler.js';

/** How the network treats every message; change it at any time with `setConditions`. */
export interface NetworkConditions {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice (the copy with its own delay). */
  readonly duplicateRate: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** When false, each directed link is FIFO; when true, every message draws its own delay. */
  readonly reorder: boolean;
}

/** A perfect LAN: no loss, no duplicates, 1-5 ms, FIFO links. */
export const RELIABLE_NETWORK: NetworkConditions = {
  dropRate: 0,
  duplicateRate: 0,
  minDelayMs: 1,
  maxDelayMs: 5,
  reorder: false,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export interface SimulatedNetworkOptions {
  readonly scheduler: VirtualScheduler;
  readonly prng: Prng;
  readonly conditions?: NetworkConditions;
  /**
   * Copies a message as it crosses the wire so sender and receiver share nothing. Pass the codec's
   * encode-then-decode to exercise it on every message. Default: a structural deep copy.
   */
  readonly copy?: (message: Message) => Message;
  /** Told of every message delivered (`recv`), dropped at send (`drop`) or lost in flight (`lost`). */
  readonly trace?: (node: NodeId, fate: 'recv' | 'drop' | 'lost', message: Message) => void;
}

/**
 * An in-process network for simulated nodes. Messages arrive as scheduler events after a random delay;
 * they may be dropped, duplicated and reordered, and links may be cut. A message to a crashed node is
 * lost; so are the in-flight messages of a node that crashes.
 */
export interface SimulatedNetwork {
  /** The transport of one node instance; messages it sends die with `owner`. */
  transport(node: NodeId, owner: EventOwner): Transport;
  conditions(): NetworkConditions;
  setConditions(conditions: Partial<NetworkConditions>): void;
  /** Symmetric partition: nodes in different groups cannot reach each other in either direction. */
  partition(groups: readonly (readonly NodeId[])[]): void;
  /** Asymmetric fault: `from` can no longer reach `to`; the other direction still works. */
  cutLink(from: NodeId, to: NodeId): void;
  /** Partial partition: `node` loses both directions to each of `others` and keeps the rest. */
  isolateFrom(node: NodeId, others: readonly NodeId[]): void;
  /** Restores every link. */
  heal(): void;
  isCut(from: NodeId, to: NodeId): boolean;
  /** Human-readable description of the cut links, e.g. `n1>n2 n2>n1`. */
  describeCuts(): string;
  stats(): NetworkStats;
}

interface Endpoint {
  readonly owner: EventOwner;
  readonly handler: MessageHandler;
}

/** Creates a {@link SimulatedNetwork}. */
export function createSimulatedNetwork(options: SimulatedNetworkOptions): SimulatedNetwork {
  const { scheduler, prng } = options;
  const copy = options.copy ?? cloneMessage;
  let conditions = options.conditions ?? RELIABLE_NETWORK;
  const endpoints = new Map<NodeId, Endpoint>();
  const cuts = new Set<string>();
  // Per directed link: the latest delivery time scheduled, to keep links FIFO when reorder is off.
  const lastDelivery = new Map<string, number>();
  const stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  const linkKey = (from: NodeId, to: NodeId): string => `${from}>${to}`;
  const trace = options.trace;

  const deliveryDelay = (link: string): number => {
    const delay = prng.between(conditions.minDelayMs, conditions.maxDelayMs);
    if (conditions.reorder) return delay;
    const at = Math.max(scheduler.now() + delay, lastDelivery.get(link) ?? 0);
    lastDelivery.set(link, at);
    return at - scheduler.now();
  };

  const scheduleDelivery = (message: Message, owner: EventOwner, link: string): void => {
    scheduler.schedule(
      deliveryDelay(link),
      () => {
        // Cuts apply to messages already in flight too: a partition drops what is on the wire.
        const endpoint = endpoints.get(message.to);
        if (cuts.has(link) || endpoint === undefined || !endpoint.owner.alive) {
          stats.dropped++;
          trace?.(message.to, 'lost', message);
          return;
        }
        stats.delivered++;
        trace?.(message.to, 'recv', message);
        endpoint.handler(message);
      },
      { owner, node: message.to, label: 'deliver' },
    );
  };

  const send = (from: NodeId, owner: EventOwner, messages: readonly Message[]): void => {
    if (!owner.alive) return;
    for (const message of messages) {
      stats.sent++;
      const link = linkKey(from, message.to);
      if (cuts.has(link) || prng.chance(conditions.dropRate)) {
        stats.dropped++;
        trace?.(from, 'drop', message);
        continue;
      }
      const wire = copy(message);
      scheduleDelivery(wire, owner, link);
      if (prng.chance(conditions.duplicateRate)) {
        stats.duplicated++;
        scheduleDelivery(copy(message), owner, link);
      }
    }
  };

  return {
    transport(node, owner) {
      return {
        async start(handler) {
          if (owner.alive) endpoints.set(node, { owner, handler });
        },
        send: (messages) => send(node, owner, messages),
        setPeers() {},
        async stop() {
          if (endpoints.get(node)?.owner === owner) endpoints.delete(node);
        },
      };
    },
    conditions: () => conditions,
    setConditions(update) {
      conditions = { ...conditions, ...update };
    },
    partition(groups) {
      for (const [i, group] of groups.entries()) {
        for (const [j, other] of groups.entries()) {
          if (i === j) continue;
          for (const a of group) for (const b of other) cuts.add(linkKey(a, b));
        }
      }
    },
    cutLink(from, to) {
      cuts.add(linkKey(from, to));
    },
    isolateFrom(node, others) {
      for (const other of others) {
        if (other === node) continue;
        cuts.add(linkKey(node, other));
        cuts.add(linkKey(other, node));
      }
    },
    heal() {
      cuts.clear();
    },
    isCut: (from, to) => cuts.has(linkKey(from, to)),
    describeCuts: () => [...cuts].sort().join(' '),
    stats: () => ({ ...stats }),
  };
}

/** A compact one-line description of a message for traces. */
export function describeMessage(message: Message): string {
  const head = `${message.type} ${message.from}>${message.to} t${message.term}`;
  switch (message.type) {
    case 'AppendEntries': {
      const count = message.entries.length;
      const range = count === 0 ? '' : ` [${message.prevLogIndex + 1}..${message.prevLogIndex + count}]`;
      return `${head} prev=${message.prevLogIndex}/${message.prevLogTerm}${range} commit=${message.leaderCommit}`;
    }
    case 'AppendEntriesResponse':
      return `${head} ${message.success ? 'ok' : 'reject'} match=${message.matchIndex}`;
    case 'RequestVote':
      return `${head}${message.preVote ? ' pre' : ''} last=${message.lastLogIndex}/${message.lastLogTerm}`;
    case 'RequestVoteResponse':
      return `${head}${message.preVote ? ' pre' : ''} ${message.granted ? 'granted' : 'denied'}`;
    case 'Heartbeat':
      return `${head} commit=${message.commit}`;
    case 'HeartbeatResponse':
    case 'TimeoutNow':
      return head;
    case 'ReadIndex':
      return `${head} req=${message.requestId}`;
    case 'ReadIndexResponse':
      return `${head} req=${message.requestId} index=${message.index}`;
    case 'Propose':
      return `${head} id=${message.proposalId}`;
    case 'ProposeResponse':
      return `${head} id=${message.proposalId} at=${message.index}/${message.entryTerm}`;
    case 'InstallSnapshot':
      return `${head} snap=${message.meta.index}/${message.meta.term} #${message.transferId} @${message.offset}+${message.data.length}${message.done ? ' done' : ''}`;
    case 'InstallSnapshotResponse':
      return `${head} snap=${message.snapshotIndex} #${message.transferId} ${message.status} received=${message.received}`;
    default: {
      const unreachable: never = message;
      return String(unreachable);
    }
  }
}
