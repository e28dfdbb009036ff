import {
  type CommittedEntry,
  createRaftNode,
  decodeMessage,
  encodeMessage,
  type Message,
  type NodeId,
  type RaftEvent,
  type RaftInspection,
  type RaftNode,
  type RaftOptions,
  type RaftStatus,
  type SnapshotOptions,
  type StoppedError,
} from '@raft/core';
import type { KvOutput } from '../linearizability/index.js';
import { type KvStateMachine, kvStateMachine } from './kv-state-machine.js';
import type { Prng } from './prng.js';
import {
  createSimulatedNetwork,
  describeMessage,
  type NetworkConditions,
  type SimulatedNetwork,
} from './simulated-network.js';
import { createSimulatedDisk, type SimulatedDisk, simulatedStorage } from './simulated-storage.js';
import type { TraceBuffer } from './trace-buffer.js';
import type { EventOwner, VirtualScheduler } from './virtual-scheduler.js';

/** A running incarnation of a node: what a crash throws away. */
export interface NodeInstance {
  readonly owner: EventOwner;
  readonly raft: RaftNode<KvOutput>;
  readonly kv: KvStateMachine;
  /** True once `start()` loaded the storage (inspect works from then on). */
  started: boolean;
}

export interface SimulatedClusterOptions {
  /** The founding members: they start with this configuration. Others join through {@link SimulatedCluster.addNode}. */
  readonly nodeIds: readonly NodeId[];
  readonly scheduler: VirtualScheduler;
  readonly prng: Prng;
  readonly trace: TraceBuffer;
  readonly network: NetworkConditions;
  readonly tickMs: number;
  readonly raft: Omit<RaftOptions, 'id' | 'random'>;
  readonly requestTimeoutMs: number;
  /** Draws a disk write latency in virtual ms. */
  readonly diskLatencyMs: (prng: Prng) => number;
  /** Pass every message through the binary codec (default) instead of a structural copy. */
  readonly useCodec: boolean;
  /** Deliberately broken storage that acknowledges writes before they are durable (tests the simulator). */
  readonly ackBeforeDurable: boolean;
  readonly deduplicateCommands: boolean;
  readonly snapshot: SnapshotOptions | false;
  readonly onApply: (node: NodeId, entries: readonly CommittedEntry[]) => void;
  readonly onFatalError: (node: NodeId, error: StoppedError) => void;
  /** Called when a node instance dies, with its status just before (undefined if it had not loaded). */
  readonly onCrash: (node: NodeId, lastStatus: RaftStatus | undefined) => void;
}

/**
 * N simulated RaftNodes over simulated disks and one simulated network. Crash drops a node's instance
 * with its timers, unfinished disk writes and in-flight messages; restart opens a new instance over
 * what the disk really holds.
 */
export interface SimulatedCluster {
  /**
   * The nodes in play: the founders and every node added since, minus the decommissioned ones. Faults
   * pick from these, and the quiet phase brings every one of them back up.
   */
  readonly nodeIds: readonly NodeId[];
  readonly network: SimulatedNetwork;
  /** Starts every founding node (at the current virtual time). */
  startAll(): void;
  /**
   * Starts a new node on an empty disk and no initial configuration: it waits, outside the cluster, for a
   * leader to add it (thesis §4.2.1: new servers join as non-voting learners first).
   */
  addNode(node: NodeId): void;
  /** Stops a node for good (an operator shutting down a removed member); it is never restarted. */
  decommission(node: NodeId): void;
  instance(node: NodeId): NodeInstance | undefined;
  /** Nodes with a running instance. */
  liveNodes(): NodeId[];
  isUp(node: NodeId): boolean;
  crash(node: NodeId): void;
  restart(node: NodeId): void;
  /** The node's inspection, or undefined while down or still loading. */
  inspect(node: NodeId): RaftInspection | undefined;
  disk(node: NodeId): SimulatedDisk;
  /** Snapshots taken by nodes and installed from leaders so far. */
  snapshotStats(): { readonly created: number; readonly installed: number };
}

/** Creates the cluster; nothing runs until {@link SimulatedCluster.startAll}. */
export function createSimulatedCluster(options: SimulatedClusterOptions): SimulatedCluster {
  const { scheduler, prng, trace } = options;
  const networkPrng = prng.fork();
  const diskPrng = prng.fork();
  const nodePrng = prng.fork();
  const network = createSimulatedNetwork({
    scheduler,
    prng: networkPrng,
    conditions: options.network,
    ...(options.useCodec ? { copy: (message: Message) => decodeMessage(encodeMessage(message)) } : {}),
    trace: (node, fate, message) => {
      // Heartbeats are most of the traffic and say little a role change does not: keep them out.
      if (message.type === 'Heartbeat' || message.type === 'HeartbeatResponse') return;
      trace.record(scheduler.now(), node, `${fate} ${describeMessage(message)}`);
    },
  });
  const disks = new Map<NodeId, SimulatedDisk>(options.nodeIds.map((id) => [id, createSimulatedDisk()]));
  const founders = new Set(options.nodeIds);
  let inPlay: readonly NodeId[] = options.nodeIds.slice();
  const instances = new Map<NodeId, NodeInstance>();
  const generations = new Map<NodeId, number>();

  const snapshotStats = { created: 0, installed: 0 };
  const observerFor =
    (node: NodeId) =>
    (event: RaftEvent): void => {
      if (event.type === 'snapshot-created') {
        snapshotStats.created++;
        trace.record(scheduler.now(), node, `snapshot saved at ${event.index} (${event.bytes} bytes)`);
      } else if (event.type === 'snapshot-installed') {
        snapshotStats.installed++;
        trace.record(scheduler.now(), node, `snapshot installed at ${event.index} (${event.bytes} bytes)`);
      }
      if (event.type === 'role-changed') {
        const leader = event.leader === '' ? '' : ` leader=${event.leader}`;
        trace.record(scheduler.now(), node, `${event.role} t${event.term}${leader}`);
      } else if (event.type === 'committed') {
        trace.record(scheduler.now(), node, `commit ${event.index}`);
      }
    };

  const launch = (node: NodeId): void => {
    const generation = (generations.get(node) ?? 0) + 1;
    generations.set(node, generation);
    const owner: EventOwner = { name: `${node}#${generation}`, alive: true };
    const random = nodePrng.fork();
    const kv = kvStateMachine({
      deduplicate: options.deduplicateCommands,
      onApply: (entries) => {
        if (owner.alive) options.onApply(node, entries);
      },
    });
    const raft = createRaftNode<KvOutput>({
      id: node,
      storage: simulatedStorage({
        disk: disks.get(node) as SimulatedDisk,
        scheduler,
        owner,
        node,
        latencyMs: () => options.diskLatencyMs(diskPrng),
        ackBeforeDurable: options.ackBeforeDurable,
      }),
      transport: network.transport(node, owner),
      stateMachine: kv,
      clock: scheduler.clockFor(owner, node),
      random: random.next,
      observer: observerFor(node),
      tickMs: options.tickMs,
      raft: options.raft,
      ...(founders.has(node) ? { initialMembers: options.nodeIds } : {}),
      requestTimeoutMs: options.requestTimeoutMs,
      snapshot: options.snapshot,
      onFatalError: (error) => {
        if (owner.alive) options.onFatalError(node, error);
      },
    });
    const instance: NodeInstance = { owner, raft, kv, started: false };
    instances.set(node, instance);
    trace.record(scheduler.now(), node, generation === 1 ? 'start' : `restart (incarnation ${generation})`);
    raft.start().then(
      () => {
        instance.started = true;
      },
      (error: unknown) => {
        if (owner.alive) trace.record(scheduler.now(), node, `start failed: ${String(error)}`);
      },
    );
  };

  const cluster: SimulatedCluster = {
    get nodeIds() {
      return inPlay;
    },
    network,
    startAll() {
      for (const node of options.nodeIds) {
        scheduler.schedule(0, () => launch(node), { node, label: 'start' });
      }
    },
    addNode(node) {
      if (disks.has(node)) throw new Error(`node ${node} already exists: ids are never reused`);
      disks.set(node, createSimulatedDisk());
      inPlay = [...inPlay, node];
      launch(node);
    },
    decommission(node) {
      if (!inPlay.includes(node)) return;
      cluster.crash(node);
      inPlay = inPlay.filter((other) => other !== node);
      trace.record(scheduler.now(), node, 'decommissioned');
    },
    instance: (node) => instances.get(node),
    liveNodes: () => inPlay.filter((node) => instances.has(node)),
    isUp: (node) => instances.has(node),
    crash(node) {
      const instance = instances.get(node);
      if (instance === undefined) return;
      const lastStatus = instance.started ? instance.raft.status() : undefined;
      // Everything the instance owned dies now: timers, disk writes not yet durable, messages in flight.
      instance.owner.alive = false;
      instances.delete(node);
      trace.record(scheduler.now(), node, 'CRASH');
      options.onCrash(node, lastStatus);
    },
    restart(node) {
      if (!instances.has(node) && inPlay.includes(node)) launch(node);
    },
    inspect(node) {
      const instance = instances.get(node);
      if (instance === undefined || !instance.started) return undefined;
      return instance.raft.inspect();
    },
    disk: (node) => disks.get(node) as SimulatedDisk,
    snapshotStats: () => ({ ...snapshotStats }),
  };
  return cluster;
}
