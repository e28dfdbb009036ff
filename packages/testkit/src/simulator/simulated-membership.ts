import type { ClusterConfig, NodeId, RaftStatus } from '@raft/core';
import type { Prng } from './prng.js';
import type { SimulatedCluster } from './simulated-cluster.js';
import type { TraceBuffer } from './trace-buffer.js';
import type { VirtualScheduler } from './virtual-scheduler.js';

/**
 * Membership changes a simulation runs under faults (thesis chapter 4):
 * - `grow`: 3 voters become 5 (one at a time, or both new voters in one joint change);
 * - `shrink`: 5 voters become 3 (one at a time or jointly; the leader may be among those removed);
 * - `replace`: every founding member is replaced by a new node, one at a time (one joint swap each);
 * - `remove-leader`: twice, the current leader is removed and a new node takes its place;
 * - `random`: a random sequence of the above steps (adds, removals, swaps, two-voter joint changes).
 */
export type MembershipScenario = 'grow' | 'shrink' | 'replace' | 'remove-leader' | 'random';

export const MEMBERSHIP_SCENARIOS: readonly MembershipScenario[] = [
  'grow',
  'shrink',
  'replace',
  'remove-leader',
  'random',
];

/** How many founding members a scenario starts from (`grow` needs 3, `shrink` needs 5). */
export function foundersFor(scenario: MembershipScenario | undefined, nodes: number): number {
  if (scenario === 'grow') return 3;
  if (scenario === 'shrink') return 5;
  return nodes;
}

/** Progress of the membership scenario, for the report. */
export interface MembershipStats {
  readonly scenario: MembershipScenario;
  /** Configuration changes that took effect (learner added, promoted, removed, swapped, joint). */
  readonly changes: number;
  /** Steps of the scenario finished, and planned. */
  readonly stepsDone: number;
  readonly steps: number;
  /** Acknowledged client writes between consecutive steps (the scenario waits for at least one). */
  readonly writesBetweenSteps: readonly number[];
  /** The voters of the leader's configuration at the end. */
  readonly finalVoters: readonly NodeId[];
}

export interface SimulatedMembershipOptions {
  readonly scenario: MembershipScenario;
  readonly scheduler: VirtualScheduler;
  readonly prng: Prng;
  readonly cluster: SimulatedCluster;
  readonly trace: TraceBuffer;
  readonly electionTimeoutMs: number;
  /** Writes acknowledged to clients so far. */
  readonly acknowledgedWrites: () => number;
  /** Whether clients still issue operations (in the quiet phase steps no longer wait for writes). */
  readonly clientsIssuing: () => boolean;
}

export interface SimulatedMembership {
  start(): void;
  /** Every step of the scenario took effect. */
  done(): boolean;
  stats(): MembershipStats;
}

/** One step: reach `goal` (checked on the leader's configuration) through the changes `next` proposes. */
interface Step {
  readonly name: string;
  /** The configuration change to propose now, or undefined when the goal is reached. */
  next(config: ClusterConfig, leader: NodeId): ClusterConfig | 'wait' | undefined;
  /** Nodes to decommission once the step is done. */
  removed(): readonly NodeId[];
}

/** A follower within this many entries of the leader counts as caught up (then it may be promoted). */
const CATCH_UP_ENTRIES = 10;

/**
 * Drives a {@link MembershipScenario} against a simulated cluster the way an operator (or
 * `@raft/membership`) would: new nodes start empty and join as learners, are promoted once caught up,
 * removed members are decommissioned. Every change goes through the current leader's
 * `changeMembership`, retried after leader changes and timeouts; between steps it waits until clients
 * got at least one more write acknowledged, so the cluster demonstrably keeps serving writes.
 */
export function createSimulatedMembership(options: SimulatedMembershipOptions): SimulatedMembership {
  const { scheduler, prng, cluster, trace, scenario } = options;
  const timeout = options.electionTimeoutMs;
  let nextId = cluster.nodeIds.length + 1;
  const freshId = (): NodeId => `n${nextId++}`;
  const leaderStatus = (): RaftStatus | undefined => {
    let best: RaftStatus | undefined;
    for (const node of cluster.liveNodes()) {
      const instance = cluster.instance(node);
      if (instance?.started !== true) continue;
      const status = instance.raft.status();
      if (status.role === 'leader' && (best === undefined || status.term > best.term)) best = status;
    }
    return best;
  };
  const steps = plan(scenario, prng, cluster.nodeIds, freshId, leaderStatus);
  let stepIndex = 0;
  let changes = 0;
  let lastConfigKey = '';
  let writesAtStep = 0;
  const writesBetweenSteps: number[] = [];
  let finalVoters: readonly NodeId[] = [];

  const note = (text: string): void => trace.record(scheduler.now(), '', `MEMBERSHIP ${text}`);

  const poll = (delayMs: number): void => {
    scheduler.schedule(delayMs, act, { label: 'membership' });
  };

  const act = (): void => {
    const step = steps[stepIndex];
    if (step === undefined) return;
    const status = leaderStatus();
    if (status === undefined) {
      poll(timeout / 2);
      return;
    }
    const key = configKey(status.config);
    if (key !== lastConfigKey) {
      if (lastConfigKey !== '') changes++;
      lastConfigKey = key;
      finalVoters = status.config.voters;
    }
    // Joint: the leader leaves it by itself. Uncommitted: a step is only done (and its removed nodes
    // shut down) once its configuration committed, as an operator would wait for.
    if (status.config.outgoingVoters.length > 0 || !configCommitted(cluster, status)) {
      poll(timeout / 4);
      return;
    }
    const target = step.next(status.config, status.id);
    if (target === 'wait') {
      poll(timeout / 4);
      return;
    }
    if (target === undefined) {
      finishStep(step);
      return;
    }
    ensureStarted(target);
    const leader = cluster.instance(status.id);
    if (leader === undefined) {
      poll(timeout / 4);
      return;
    }
    note(`${step.name}: ${status.id} proposes ${configKey(target)}`);
    leader.raft.changeMembership(target, { timeoutMs: 5 * timeout }).catch(() => {});
    // The promise dies with the leader if it crashes: poll the configuration instead of awaiting it.
    poll(timeout / 2);
  };

  const ensureStarted = (target: ClusterConfig): void => {
    for (const node of [...target.voters, ...target.learners]) {
      if (!cluster.nodeIds.includes(node)) cluster.addNode(node);
    }
  };

  const finishStep = (step: Step): void => {
    note(`${step.name}: done`);
    for (const node of step.removed()) {
      // Half the removed nodes keep running, so a removed member that missed its removal is exercised.
      if (prng.chance(0.5)) cluster.decommission(node);
    }
    stepIndex++;
    writesAtStep = options.acknowledgedWrites();
    if (stepIndex < steps.length) waitForWrites(prng.between(timeout, 5 * timeout));
  };

  const waitForWrites = (delayMs: number): void => {
    scheduler.schedule(
      delayMs,
      () => {
        const since = options.acknowledgedWrites() - writesAtStep;
        if (since > 0 || !options.clientsIssuing()) {
          writesBetweenSteps.push(since);
          act();
        } else {
          waitForWrites(timeout / 2);
        }
      },
      { label: 'membership' },
    );
  };

  return {
    start() {
      note(`scenario ${scenario}: ${steps.map((step) => step.name).join(', ')}`);
      writesAtStep = options.acknowledgedWrites();
      waitForWrites(prng.between(3 * timeout, 6 * timeout));
    },
    done: () => stepIndex >= steps.length,
    stats: () => ({
      scenario,
      changes,
      stepsDone: stepIndex,
      steps: steps.length,
      writesBetweenSteps,
      finalVoters,
    }),
  };
}

/** Whether the leader's latest configuration entry is committed (compacted entries are). */
function configCommitted(cluster: SimulatedCluster, status: RaftStatus): boolean {
  const inspection = cluster.inspect(status.id);
  if (inspection === undefined) return false;
  return !inspection.entries.some((entry) => entry.type === 'config' && entry.index > status.commitIndex);
}

function configKey(config: ClusterConfig): string {
  const outgoing = config.outgoingVoters.length > 0 ? ` out=${config.outgoingVoters.join(',')}` : '';
  const learners = config.learners.length > 0 ? ` learners=${config.learners.join(',')}` : '';
  return `voters=${config.voters.join(',')}${outgoing}${learners}`;
}

function withVoters(voters: readonly NodeId[], learners: readonly NodeId[]): ClusterConfig {
  return { voters: [...voters].sort(), outgoingVoters: [], learners: [...learners].sort() };
}

/** Adds `nodes` as learners, waits until they caught up, then promotes them all in one change. */
function addVoters(nodes: readonly NodeId[], status: () => RaftStatus | undefined): Step {
  return {
    name: `add ${nodes.join('+')}`,
    next(config) {
      if (nodes.every((node) => config.voters.includes(node))) return undefined;
      const missing = nodes.filter(
        (node) => !config.voters.includes(node) && !config.learners.includes(node),
      );
      if (missing.length > 0) return withVoters(config.voters, [...config.learners, ...missing]);
      const leader = status();
      if (leader === undefined) return 'wait';
      const caughtUp = nodes.every(
        (node) => (leader.progress.get(node)?.match ?? 0) + CATCH_UP_ENTRIES >= leader.lastIndex,
      );
      if (!caughtUp) return 'wait';
      return withVoters(
        [...config.voters, ...nodes],
        config.learners.filter((node) => !nodes.includes(node)),
      );
    },
    removed: () => [],
  };
}

/** Removes `pick()`'s choice (fixed when the step first acts) in one change. */
function removeVoters(name: string, pick: (config: ClusterConfig, leader: NodeId) => NodeId[]): Step {
  let chosen: NodeId[] | undefined;
  return {
    name,
    next(config, leader) {
      chosen ??= pick(config, leader);
      const gone = chosen;
      if (gone.every((node) => !config.voters.includes(node) && !config.learners.includes(node))) {
        return undefined;
      }
      return withVoters(
        config.voters.filter((node) => !gone.includes(node)),
        config.learners.filter((node) => !gone.includes(node)),
      );
    },
    removed: () => chosen ?? [],
  };
}

/** Replaces `old` by a new node: learner first, then one joint change that swaps them. */
function swap(old: NodeId, replacement: NodeId, status: () => RaftStatus | undefined): Step {
  const add = addVoters([replacement], status);
  return {
    name: `replace ${old} by ${replacement}`,
    next(config, leader) {
      if (config.voters.includes(replacement) && !config.voters.includes(old)) return undefined;
      if (!config.learners.includes(replacement) && !config.voters.includes(replacement)) {
        return add.next(config, leader);
      }
      const promoted = add.next(config, leader);
      if (promoted === 'wait') return 'wait';
      const voters = [...config.voters.filter((node) => node !== old), replacement];
      return withVoters(
        [...new Set(voters)],
        config.learners.filter((node) => node !== replacement),
      );
    },
    removed: () => [old],
  };
}

function plan(
  scenario: MembershipScenario,
  prng: Prng,
  founders: readonly NodeId[],
  freshId: () => NodeId,
  status: () => RaftStatus | undefined,
): Step[] {
  const randomVoters = (count: number) => (config: ClusterConfig, leader: NodeId) => {
    // Prefer removing the leader now and then: its step-down after the change commits is a rule too.
    const pool = prng.chance(0.3) ? [leader] : [];
    const others = config.voters.filter((node) => node !== leader);
    while (pool.length < count && others.length > 0) pool.push(others.splice(prng.int(others.length), 1)[0]!);
    return pool;
  };
  const removeLeader = removeVoters('remove the leader', (_config, leader) => [leader]);
  switch (scenario) {
    case 'grow': {
      const [a, b] = [freshId(), freshId()];
      return prng.chance(0.5)
        ? [addVoters([a], status), addVoters([b], status)]
        : [addVoters([a, b], status)];
    }
    case 'shrink':
      return prng.chance(0.5)
        ? [removeVoters('remove one', randomVoters(1)), removeVoters('remove one', randomVoters(1))]
        : [removeVoters('remove two jointly', randomVoters(2))];
    case 'replace':
      return founders.map((old) => swap(old, freshId(), status));
    case 'remove-leader':
      return [
        removeLeader,
        addVoters([freshId()], status),
        removeVoters('remove the leader', (_config, leader) => [leader]),
        addVoters([freshId()], status),
      ];
    case 'random': {
      const steps: Step[] = [];
      let voters = founders.length;
      for (let i = 0; i < 4; i++) {
        const roll = prng.next();
        if (roll < 0.3 && voters < 5) {
          const count = voters <= 3 && prng.chance(0.5) ? 2 : 1;
          steps.push(addVoters(Array.from({ length: count }, freshId), status));
          voters += count;
        } else if (roll < 0.6 && voters > 3) {
          steps.push(removeVoters('remove one', randomVoters(1)));
          voters -= 1;
        } else {
          steps.push(swapRandom(freshId(), prng, status));
        }
      }
      return steps;
    }
  }
}

/** Replaces a voter chosen when the step first acts (possibly the leader) by `replacement`. */
function swapRandom(replacement: NodeId, prng: Prng, status: () => RaftStatus | undefined): Step {
  let inner: Step | undefined;
  return {
    name: `replace a voter by ${replacement}`,
    next(config, leader) {
      if (inner === undefined) {
        const old = prng.chance(0.3) ? leader : prng.pick(config.voters);
        inner = swap(old, replacement, status);
      }
      return inner.next(config, leader);
    },
    removed: () => inner?.removed() ?? [],
  };
}
