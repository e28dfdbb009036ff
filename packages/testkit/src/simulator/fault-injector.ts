import type { NodeId } from '@raft/core';
import type { Prng } from './prng.js';
import type { SimulatedCluster } from './simulated-cluster.js';
import { RELIABLE_NETWORK } from './simulated-network.js';
import type { TraceBuffer } from './trace-buffer.js';
import type { VirtualScheduler } from './virtual-scheduler.js';

/** The kinds of faults a simulation can inject. */
export type FaultKind = 'drop' | 'duplicate' | 'reorder' | 'partition' | 'crash' | 'pause';

/** Every fault kind, in the order the CLI lists them. */
export const ALL_FAULTS: readonly FaultKind[] = [
  'drop',
  'duplicate',
  'reorder',
  'partition',
  'crash',
  'pause',
];

/** The stable code of a {@link FaultListError}. */
export type FaultListErrorCode = 'TESTKIT_BAD_FAULT_LIST';

/** A fault list named something that is not a {@link FaultKind}. */
export class FaultListError extends Error {
  readonly code: FaultListErrorCode = 'TESTKIT_BAD_FAULT_LIST';
  override readonly name = 'FaultListError';
}

/**
 * Parses `drop,partition,crash` (also `all` and `none`).
 *
 * @throws {FaultListError} for an unknown name.
 */
export function parseFaults(text: string): FaultKind[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return [...ALL_FAULTS];
  if (trimmed === 'none' || trimmed === '') return [];
  const faults: FaultKind[] = [];
  for (const name of trimmed.split(',').map((part) => part.trim())) {
    const kind = ALL_FAULTS.find((fault) => fault === name);
    if (kind === undefined) {
      throw new FaultListError(`unknown fault "${name}"; known: ${ALL_FAULTS.join(', ')}, all, none`);
    }
    if (!faults.includes(kind)) faults.push(kind);
  }
  return faults;
}

export interface FaultStats {
  crashes: number;
  /** Crashes of the whole cluster at once (power loss: every unsynced write everywhere is gone). */
  clusterCrashes: number;
  partitions: number;
  pauses: number;
}

export interface FaultInjectorOptions {
  readonly faults: readonly FaultKind[];
  readonly scheduler: VirtualScheduler;
  readonly prng: Prng;
  readonly cluster: SimulatedCluster;
  readonly trace: TraceBuffer;
  /** The node currently believed to lead, if any (faults aim at it often: that is where bugs hide). */
  readonly leader: () => NodeId | undefined;
  /** One election timeout in virtual ms; fault durations scale with it. */
  readonly electionTimeoutMs: number;
}

/** Schedules random faults until stopped, then heals everything. */
export interface FaultInjector {
  start(): void;
  /** No new faults; heal partitions, make the network reliable and restart crashed nodes now. */
  stop(): void;
  stats(): FaultStats;
}

/** Creates a {@link FaultInjector} for the enabled fault kinds. */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const { scheduler, prng, cluster, trace } = options;
  const enabled = new Set(options.faults);
  const timeout = options.electionTimeoutMs;
  const stats: FaultStats = { crashes: 0, clusterCrashes: 0, partitions: 0, pauses: 0 };
  let running = false;
  let partitionGeneration = 0;

  const note = (text: string): void => trace.record(scheduler.now(), '', text);
  const later = (delayMs: number, run: () => void): void => {
    scheduler.schedule(
      delayMs,
      () => {
        if (running) run();
      },
      { label: 'fault' },
    );
  };
  const target = (): NodeId => {
    const leader = options.leader();
    if (leader !== undefined && cluster.isUp(leader) && prng.chance(0.5)) return leader;
    return prng.pick(cluster.nodeIds);
  };

  const changeWeather = (): void => {
    const reorder = enabled.has('reorder') && prng.chance(0.7);
    const conditions = {
      dropRate: enabled.has('drop') ? prng.pick([0, 0.01, 0.05, 0.15, 0.3]) : 0,
      duplicateRate: enabled.has('duplicate') ? prng.pick([0, 0.02, 0.1]) : 0,
      minDelayMs: 1,
      maxDelayMs: reorder ? prng.pick([10, 30, 0.5 * timeout]) : 5,
      reorder,
    };
    cluster.network.setConditions(conditions);
    note(
      `network drop=${conditions.dropRate} dup=${conditions.duplicateRate} delay=1..${conditions.maxDelayMs}` +
        `${reorder ? ' reorder' : ''}`,
    );
    later(prng.between(2 * timeout, 8 * timeout), changeWeather);
  };

  const restartLater = (node: NodeId): void => {
    // One outage in four is long: the node misses enough entries that it must catch up by snapshot.
    const downFor = prng.chance(0.25)
      ? prng.between(10 * timeout, 20 * timeout)
      : prng.between(0.2 * timeout, 5 * timeout);
    later(downFor, () => cluster.restart(node));
  };

  const crash = (): void => {
    if (prng.chance(0.05)) {
      stats.clusterCrashes++;
      note('FAULT power loss: every node crashes');
      for (const node of cluster.liveNodes()) {
        cluster.crash(node);
        restartLater(node);
      }
      return;
    }
    // The set of nodes changes with membership: at most a minority of those in play is down at once.
    const nodes = cluster.nodeIds;
    const down = nodes.length - cluster.liveNodes().length;
    const node = target();
    if (down >= Math.floor((nodes.length - 1) / 2) || !cluster.isUp(node)) return;
    stats.crashes++;
    note(`FAULT crash ${node}`);
    cluster.crash(node);
    restartLater(node);
  };

  const partition = (): void => {
    stats.partitions++;
    const generation = ++partitionGeneration;
    cluster.network.heal();
    const nodes = cluster.nodeIds;
    const roll = prng.next();
    if (roll < 0.4) {
      const shuffled = shuffle(prng, nodes);
      const cut = 1 + prng.int(nodes.length - 1);
      const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
      cluster.network.partition(groups);
      note(`FAULT partition ${groups.map((group) => group.join(',')).join(' | ')}`);
    } else if (roll < 0.7) {
      const from = target();
      const others = nodes.filter((node) => node !== from);
      const count = 1 + prng.int(others.length);
      const cut = shuffle(prng, others).slice(0, count);
      const inbound = prng.chance(0.5);
      for (const other of cut) {
        if (inbound) cluster.network.cutLink(other, from);
        else cluster.network.cutLink(from, other);
      }
      note(`FAULT one-way cut ${cluster.network.describeCuts()}`);
    } else {
      const node = target();
      const others = shuffle(
        prng,
        nodes.filter((other) => other !== node),
      ).slice(0, Math.max(1, prng.int(nodes.length - 1)));
      cluster.network.isolateFrom(node, others);
      note(`FAULT partial: ${node} cut from ${others.join(',')}`);
    }
    later(prng.between(0.5 * timeout, 6 * timeout), () => {
      if (generation !== partitionGeneration) return;
      cluster.network.heal();
      note('heal');
    });
  };

  const pause = (): void => {
    const node = target();
    if (!cluster.isUp(node) || scheduler.isPaused(node)) return;
    stats.pauses++;
    const duration = prng.between(0.2 * timeout, 3 * timeout);
    note(`FAULT pause ${node} for ${duration.toFixed(0)} ms`);
    scheduler.pause(node, scheduler.now() + duration);
  };

  const actions: (() => void)[] = [];
  if (enabled.has('crash')) actions.push(crash);
  if (enabled.has('partition')) actions.push(partition);
  if (enabled.has('pause')) actions.push(pause);

  const nextFault = (): void => {
    const action = actions.length === 0 ? undefined : prng.pick(actions);
    action?.();
    later(prng.between(0.5 * timeout, 3 * timeout), nextFault);
  };

  return {
    start() {
      running = true;
      if (enabled.has('drop') || enabled.has('duplicate') || enabled.has('reorder')) changeWeather();
      if (actions.length > 0) later(prng.between(timeout, 3 * timeout), nextFault);
    },
    stop() {
      running = false;
      cluster.network.heal();
      cluster.network.setConditions(RELIABLE_NETWORK);
      for (const node of cluster.nodeIds) if (!cluster.isUp(node)) cluster.restart(node);
      note('faults stopped: network healed and reliable, every node up');
    },
    stats: () => ({ ...stats }),
  };
}

function shuffle<T>(prng: Prng, items: readonly T[]): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    const swap = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = swap;
  }
  return copy;
}
