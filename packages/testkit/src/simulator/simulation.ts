import type { NodeId, RaftInspection, RaftOptions, RaftStatus, SnapshotOptions } from '@raft/core';
import { createInvariantChecker } from '../invariants/invariant-checker.js';
import type { InvariantViolation } from '../invariants/violation.js';
import { checkLinearizability, HistoryRecorder } from '../linearizability/index.js';
import { findLostWrites } from './acknowledged-writes.js';
import { ALL_FAULTS, createFaultInjector, type FaultKind, type FaultStats } from './fault-injector.js';
import { createLeadershipTracker, type LeaderRecovery } from './leadership-tracker.js';
import { createPrng, type Prng } from './prng.js';
import { type ClientStats, createSimulatedClients } from './simulated-clients.js';
import { createSimulatedCluster, type SimulatedCluster } from './simulated-cluster.js';
import {
  createSimulatedMembership,
  foundersFor,
  type MembershipScenario,
  type MembershipStats,
  type SimulatedMembership,
} from './simulated-membership.js';
import { type NetworkStats, RELIABLE_NETWORK } from './simulated-network.js';
import { createTraceBuffer, type TraceRecord } from './trace-buffer.js';
import { createVirtualScheduler } from './virtual-scheduler.js';

/** Options of {@link runSimulation}. Every default is chosen so 2,000 seeds of 5 nodes fit in minutes. */
export interface SimulationOptions {
  /** The one seed every random choice derives from. */
  readonly seed: number;
  /** Cluster size. Default 3. */
  readonly nodes?: number;
  /**
   * Virtual ms of the fault phase. Default 60,000 (60 election timeouts at the default tick): about 60
   * faults and a few hundred client operations, while 2,000 five-node seeds still take minutes.
   */
  readonly durationMs?: number;
  /** Also end the fault phase after this many events. Default unlimited. */
  readonly steps?: number;
  /**
   * Hard cap on events in the whole run; exceeding it is a `liveness` violation (a message storm or a
   * timer loop). Default 250,000 (a healthy 5-node run uses well under 10,000).
   */
  readonly maxEvents?: number;
  /** Faults to inject. Default all of {@link ALL_FAULTS}. */
  readonly faults?: readonly FaultKind[];
  /** Concurrent clients. Default 4. */
  readonly clients?: number;
  /** Keys the clients use (fewer keys: more contention). Default 3. */
  readonly keys?: number;
  /** Virtual ms per engine tick. Default 100. */
  readonly tickMs?: number;
  /** Engine tunables. Default: the engine's defaults (electionTicks 10, PreVote, CheckQuorum). */
  readonly raft?: Omit<RaftOptions, 'id' | 'random'>;
  /** Virtual ms allowed after the faults stop for the cluster to converge. Default 30 election timeouts. */
  readonly settleMs?: number;
  /** Trace records kept (the tail of the run). Default 20,000. */
  readonly traceCapacity?: number;
  /** Include the trace in the report even when the run passed. Default false. */
  readonly keepTrace?: boolean;
  /** End the run at the first violation (the trace then ends where it went wrong). Default true. */
  readonly stopOnViolation?: boolean;
  /** Send every message through the binary codec. Default true. */
  readonly useCodec?: boolean;
  /** Virtual disk write latency range in ms. Default [1, 10]. */
  readonly diskLatencyMs?: readonly [number, number];
  /** Let the KV store apply each command id once (thesis §6.3 sessions). Default false. */
  readonly deduplicateCommands?: boolean;
  /**
   * Deliberately broken storage that acknowledges writes before they are durable, to show the simulator
   * catches lost durability. Default false.
   */
  readonly unsafeAckBeforeDurable?: boolean;
  /**
   * Snapshots and log compaction (Raft §7). Default aggressive, so that every run exercises them:
   * {@link SIMULATION_SNAPSHOTS} (a snapshot every 50 applied entries, 5 entries kept, 64-byte chunks).
   * `false` turns them off.
   */
  readonly snapshot?: SnapshotOptions | false;
  /** Wall-clock budget of the linearizability check in ms. Default 10,000. */
  readonly linearizabilityBudgetMs?: number;
  /**
   * Membership changes to run under the faults (see {@link MembershipScenario}); they must all take
   * effect before the run can settle. `grow` starts from 3 founders and `shrink` from 5 whatever `nodes`
   * says. Default none.
   */
  readonly membership?: MembershipScenario;
}

/** The simulator's default snapshot settings: small enough that followers often need a snapshot. */
export const SIMULATION_SNAPSHOTS: SnapshotOptions = {
  everyEntries: 50,
  keepEntries: 5,
  chunkBytes: 64,
  windowChunks: 2,
};

/** One leader crash and how long the cluster went without a leader. */
export interface LeaderRecoveryReport extends LeaderRecovery {
  /** Virtual ms from the crash to the next leader; undefined if none appeared before the run ended. */
  readonly durationMs: number | undefined;
  /** A new leader appeared within 10 election timeouts of the crash. */
  readonly withinTenElectionTimeouts: boolean;
}

/** What one simulated run found. */
export interface SimulationReport {
  readonly seed: number;
  /** The founding members. */
  readonly nodes: number;
  readonly faults: readonly FaultKind[];
  /** No violation of any kind. */
  readonly ok: boolean;
  readonly violations: readonly InvariantViolation[];
  /** Virtual ms at the end of the run. */
  readonly virtualTimeMs: number;
  /** Simulation events processed (each followed by the invariant checks). */
  readonly events: number;
  readonly operations: ClientStats & {
    /** Operations in the history given to the linearizability checker. */
    readonly checked: number;
    readonly acknowledgedWrites: number;
  };
  /** `unknown` when the checker ran out of budget; `skipped` when the run stopped at a violation. */
  readonly linearizability: 'ok' | 'violation' | 'unknown' | 'skipped';
  /** Terms in which a leader was elected. */
  readonly elections: number;
  /** Snapshots saved by nodes, and installed by followers from a leader. */
  readonly snapshots: { readonly created: number; readonly installed: number };
  /** The base election timeout in virtual ms (electionTicks × tickMs). */
  readonly electionTimeoutMs: number;
  /** Every leader crash measured (a majority stayed up), oldest first. */
  readonly leaderRecoveries: readonly LeaderRecoveryReport[];
  /** The cluster converged after the faults stopped (a leader, every member applied everything). */
  readonly settled: boolean;
  /** The membership scenario's progress, when one ran. */
  readonly membership: MembershipStats | undefined;
  readonly faultStats: FaultStats;
  readonly network: NetworkStats;
  /** The trace tail; empty unless the run failed or `keepTrace` was set. Format with `formatTraceRecord`. */
  readonly trace: readonly TraceRecord[];
}

/**
 * Runs one deterministic simulation: N RaftNodes on simulated disks and a simulated network, clients
 * issuing KV operations, random faults for `durationMs` of virtual time, then a quiet phase in which
 * everything heals. Raft's safety properties are checked after every event; at the end, every
 * acknowledged write must be in the committed log and the client history must be linearizable.
 * The same options give the same run, event for event.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const nodeCount = foundersFor(options.membership, options.nodes ?? 3);
  const tickMs = options.tickMs ?? 100;
  const electionTimeoutMs = (options.raft?.electionTicks ?? 10) * tickMs;
  const faults = options.faults ?? ALL_FAULTS;
  const durationMs = options.durationMs ?? 60 * electionTimeoutMs;
  const maxSteps = options.steps ?? Number.POSITIVE_INFINITY;
  const maxEvents = options.maxEvents ?? 250_000;
  const settleMs = options.settleMs ?? 30 * electionTimeoutMs;
  const stopOnViolation = options.stopOnViolation ?? true;
  const [diskMin, diskMax] = options.diskLatencyMs ?? [1, 10];
  const nodeIds: NodeId[] = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);

  const root = createPrng(options.seed);
  const clusterPrng = root.fork();
  const faultPrng = root.fork();
  const clientPrng = root.fork();
  const membershipPrng = root.fork();
  const scheduler = createVirtualScheduler();
  const trace = createTraceBuffer(options.traceCapacity ?? 20_000);
  const checker = createInvariantChecker();
  const recorder = new HistoryRecorder(() => scheduler.now());
  const leadership = createLeadershipTracker();
  const violation = (invariant: InvariantViolation['invariant'], node: NodeId, detail: string): void =>
    checker.add({ invariant, time: scheduler.now(), node, detail });

  let crashListener: (node: NodeId) => void = () => {};
  const cluster = createSimulatedCluster({
    nodeIds,
    scheduler,
    prng: clusterPrng,
    trace,
    network: RELIABLE_NETWORK,
    tickMs,
    raft: options.raft ?? {},
    requestTimeoutMs: 5 * electionTimeoutMs,
    diskLatencyMs: (prng: Prng) => prng.between(diskMin, diskMax),
    useCodec: options.useCodec ?? true,
    ackBeforeDurable: options.unsafeAckBeforeDurable ?? false,
    deduplicateCommands: options.deduplicateCommands ?? false,
    snapshot: options.snapshot ?? SIMULATION_SNAPSHOTS,
    onApply: (node, entries) => checker.observeApplied(scheduler.now(), node, entries),
    onFatalError: (node, error) => violation('node-failure', node, String(error.cause ?? error.message)),
    onCrash: (node, lastStatus) => {
      checker.resetNode(node);
      leadership.nodeCrashed(scheduler.now(), node, lastStatus, majorityUp(cluster, lastStatus));
      crashListener(node);
    },
  });
  const clients = createSimulatedClients({
    count: options.clients ?? 4,
    keys: Array.from({ length: options.keys ?? 3 }, (_, i) => `k${i + 1}`),
    scheduler,
    prng: clientPrng,
    cluster,
    recorder,
    trace,
    timeoutMs: 5 * electionTimeoutMs,
    thinkMs: [10, 300],
  });
  crashListener = (node) => clients.nodeCrashed(node);
  let issuing = true;
  const membership: SimulatedMembership | undefined =
    options.membership === undefined
      ? undefined
      : createSimulatedMembership({
          scenario: options.membership,
          scheduler,
          prng: membershipPrng,
          cluster,
          trace,
          electionTimeoutMs,
          acknowledgedWrites: () => clients.acknowledgedWrites().size,
          clientsIssuing: () => issuing,
        });
  const injector = createFaultInjector({
    faults,
    scheduler,
    prng: faultPrng,
    cluster,
    trace,
    leader: () => leadership.currentLeader(),
    electionTimeoutMs,
  });

  let events = 0;
  const failed = (): boolean => stopOnViolation && checker.violations().length > 0;
  const step = async (): Promise<boolean> => {
    if (events >= maxEvents) {
      violation('liveness', '', `event budget of ${maxEvents} exhausted (a message storm or a timer loop?)`);
      return false;
    }
    const event = await scheduler.step();
    if (event === undefined) return false;
    events++;
    if (event.node !== undefined) {
      const inspection = cluster.inspect(event.node);
      if (inspection !== undefined) {
        checker.observe(scheduler.now(), event.node, inspection);
        leadership.observe(scheduler.now(), event.node, inspection.status);
      }
    }
    return true;
  };

  cluster.startAll();
  clients.start();
  injector.start();
  membership?.start();
  // Fault phase.
  while (scheduler.now() < durationMs && events < maxSteps && !failed()) {
    if (!(await step())) break;
  }
  // Quiet phase: heal everything, stop new operations, wait for convergence.
  let settled = false;
  if (!failed()) {
    scheduler.schedule(0, () => {
      injector.stop();
      clients.stopIssuing();
      issuing = false;
    });
    const deadline = scheduler.now() + settleMs;
    while (scheduler.now() < deadline && !failed()) {
      if (!(await step())) break;
      if (
        events % 20 === 0 &&
        clients.pending() === 0 &&
        (membership?.done() ?? true) &&
        converged(cluster)
      ) {
        settled = true;
        break;
      }
    }
    if (!settled && checker.violations().length === 0) {
      const pendingChanges =
        membership === undefined || membership.done()
          ? ''
          : ` (membership ${membership.stats().stepsDone}/${membership.stats().steps} steps done)`;
      violation(
        'liveness',
        '',
        `no convergence within ${settleMs} ms after every fault healed${pendingChanges}`,
      );
    }
  }

  for (const node of cluster.nodeIds) {
    const inspection = cluster.inspect(node);
    if (inspection !== undefined) checker.observe(scheduler.now(), node, inspection);
  }
  const history = recorder.history();
  let linearizability: SimulationReport['linearizability'] = 'skipped';
  if (settled && !failed()) {
    const finalLogs = new Map<NodeId, RaftInspection>();
    const appliedIds = new Map<NodeId, ReadonlySet<string>>();
    for (const node of cluster.nodeIds) {
      const inspection = cluster.inspect(node);
      if (inspection !== undefined) finalLogs.set(node, inspection);
      const kv = cluster.instance(node)?.kv;
      if (kv !== undefined) appliedIds.set(node, kv.appliedIds());
    }
    for (const lost of findLostWrites(finalLogs, clients.acknowledgedWrites(), appliedIds)) {
      violation('acknowledged-write-lost', '', lost);
    }
    const result = checkLinearizability(history, { timeBudgetMs: options.linearizabilityBudgetMs ?? 10_000 });
    if (result.ok === true) linearizability = 'ok';
    else if (result.ok === 'unknown') linearizability = 'unknown';
    else {
      linearizability = 'violation';
      // Dated at the latest answer involved: that is where the trace shows what went wrong.
      let answeredAt = 0;
      for (const operation of result.operations)
        answeredAt = Math.max(answeredAt, operation.completedAt ?? 0);
      checker.add({
        invariant: 'linearizability',
        time: answeredAt,
        node: '',
        detail: `key ${result.key}: ${result.explanation.trim()}`,
      });
    }
  }

  const violations = checker.violations();
  const ok = violations.length === 0;
  return {
    seed: options.seed,
    nodes: nodeCount,
    faults,
    ok,
    violations,
    virtualTimeMs: scheduler.now(),
    events,
    operations: {
      ...clients.stats(),
      checked: history.length,
      acknowledgedWrites: clients.acknowledgedWrites().size,
    },
    linearizability,
    elections: leadership.elections(),
    snapshots: cluster.snapshotStats(),
    electionTimeoutMs,
    leaderRecoveries: leadership.recoveries().map((recovery) => {
      const durationMs =
        recovery.recoveredAt === undefined ? undefined : recovery.recoveredAt - recovery.crashedAt;
      return {
        ...recovery,
        durationMs,
        withinTenElectionTimeouts: durationMs !== undefined && durationMs <= 10 * electionTimeoutMs,
      };
    }),
    settled,
    membership: membership?.stats(),
    faultStats: injector.stats(),
    network: cluster.network.stats(),
    trace: !ok || options.keepTrace === true ? trace.records() : [],
  };
}

/**
 * A leader exists, it committed an entry of its own term, and every member of its configuration applied
 * all of its log. Nodes removed from the configuration are left out: they no longer hear from it.
 */
function converged(cluster: SimulatedCluster): boolean {
  let leader: RaftInspection | undefined;
  for (const node of cluster.nodeIds) {
    const inspection = cluster.inspect(node);
    if (inspection?.status.role === 'leader') leader = inspection;
  }
  if (leader === undefined) return false;
  const { status } = leader;
  const committedTerm = leader.entries[status.commitIndex - leader.firstIndex]?.term;
  if (committedTerm !== status.term || status.commitIndex !== status.lastIndex) return false;
  const members = [...status.config.voters, ...status.config.outgoingVoters, ...status.config.learners];
  return members.every((node) => cluster.inspect(node)?.status.appliedIndex === status.commitIndex);
}

/** A majority of the voters in `lastStatus`'s configuration (else of the nodes in play) is running. */
function majorityUp(cluster: SimulatedCluster, lastStatus: RaftStatus | undefined): boolean {
  const voters = lastStatus?.config.voters ?? cluster.nodeIds;
  const up = voters.filter((node) => cluster.isUp(node)).length;
  return up > voters.length / 2;
}
