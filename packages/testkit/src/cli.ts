#!/usr/bin/env node
/// <reference types="node" />
/**
 * `raft-sim`: run many deterministic cluster simulations, each from its own seed, on worker threads.
 *
 *   raft-sim --seeds 2000 --nodes 5                 # seeds 1..2000, every fault
 *   raft-sim --seeds 1 --seed 1234 --nodes 5        # replay one seed and print its trace on failure
 *
 * Exit code 0 when no seed found a violation, 1 when one did, 2 on a usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatViolation } from './invariants/violation.js';
import { ALL_FAULTS, type FaultKind, parseFaults } from './simulator/fault-injector.js';
import { MEMBERSHIP_SCENARIOS, type MembershipScenario } from './simulator/simulated-membership.js';
import { runSimulation, type SimulationOptions, type SimulationReport } from './simulator/simulation.js';
import { formatTraceRecord } from './simulator/trace-buffer.js';

interface CliOptions {
  readonly seeds: number;
  readonly firstSeed: number;
  readonly nodes: number;
  readonly steps: number | undefined;
  readonly durationMs: number | undefined;
  readonly faults: readonly FaultKind[];
  readonly clients: number | undefined;
  readonly workers: number;
  readonly traceLines: number;
  /** A scenario for every seed, `all` to rotate through them by seed, or none. */
  readonly membership: MembershipScenario | 'all' | undefined;
}

const USAGE = `usage: raft-sim --seeds N [--seed S] [--nodes 3|5] [--steps M] [--duration MS]
                [--faults ${ALL_FAULTS.join(',')}|all|none] [--clients C] [--workers K] [--trace-lines L]
  --seeds N      number of seeds to run (default 100); seeds S, S+1, ..., S+N-1
  --seed S       first seed (default 1); with --seeds 1, replays exactly that seed
  --nodes        cluster size (default 3)
  --steps M      end the fault phase after M events (default: by virtual time only)
  --duration MS  virtual milliseconds of the fault phase (default 60000)
  --faults LIST  comma-separated faults to inject (default all)
  --clients C    concurrent clients (default 4)
  --workers K    worker threads (default 2; 0 runs in the main thread)
  --trace-lines  trace lines printed for a failing seed (default 200)
  --membership S membership changes under the faults: ${MEMBERSHIP_SCENARIOS.join('|')}, or all
                 (seed N runs scenario N mod 5); grow starts from 3 nodes and shrink from 5`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      values.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      values.set(arg.slice(2), value);
      i++;
    }
  }
  const known = new Set([
    'seeds',
    'seed',
    'nodes',
    'steps',
    'duration',
    'faults',
    'clients',
    'workers',
    'trace-lines',
    'membership',
  ]);
  for (const key of values.keys()) if (!known.has(key)) throw new UsageError(`unknown option --${key}`);
  const integer = (key: string, fallback: number | undefined, min: number): number | undefined => {
    const text = values.get(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${key} must be an integer >= ${min}`);
    return value;
  };
  let faults: FaultKind[];
  try {
    faults = parseFaults(values.get('faults') ?? 'all');
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    seeds: integer('seeds', 100, 1) as number,
    firstSeed: integer('seed', 1, 0) as number,
    nodes: integer('nodes', 3, 1) as number,
    steps: integer('steps', undefined, 1),
    durationMs: integer('duration', undefined, 1),
    faults,
    clients: integer('clients', undefined, 1),
    workers: integer('workers', 2, 0) as number,
    traceLines: integer('trace-lines', 200, 0) as number,
    membership: parseMembership(values.get('membership')),
  };
}

function parseMembership(text: string | undefined): CliOptions['membership'] {
  if (text === undefined || text === 'none') return undefined;
  if (text === 'all' || (MEMBERSHIP_SCENARIOS as readonly string[]).includes(text)) {
    return text as MembershipScenario | 'all';
  }
  throw new UsageError(`--membership must be one of ${MEMBERSHIP_SCENARIOS.join(', ')}, all or none`);
}

/** The membership scenario seed `seed` runs. */
function scenarioFor(cli: CliOptions, seed: number): MembershipScenario | undefined {
  if (cli.membership !== 'all') return cli.membership;
  return MEMBERSHIP_SCENARIOS[seed % MEMBERSHIP_SCENARIOS.length];
}

function simulationOptions(cli: CliOptions, seed: number): SimulationOptions {
  const membership = scenarioFor(cli, seed);
  return {
    seed,
    nodes: cli.nodes,
    faults: cli.faults,
    ...(cli.steps === undefined ? {} : { steps: cli.steps }),
    ...(cli.durationMs === undefined ? {} : { durationMs: cli.durationMs }),
    ...(cli.clients === undefined ? {} : { clients: cli.clients }),
    ...(membership === undefined ? {} : { membership }),
  };
}

function replayCommand(cli: CliOptions, seed: number): string {
  const parts = ['pnpm sim --seeds 1', `--seed ${seed}`, `--nodes ${cli.nodes}`];
  if (cli.faults.length !== ALL_FAULTS.length) parts.push(`--faults ${cli.faults.join(',') || 'none'}`);
  if (cli.steps !== undefined) parts.push(`--steps ${cli.steps}`);
  if (cli.durationMs !== undefined) parts.push(`--duration ${cli.durationMs}`);
  if (cli.clients !== undefined) parts.push(`--clients ${cli.clients}`);
  const scenario = scenarioFor(cli, seed);
  if (scenario !== undefined) parts.push(`--membership ${scenario}`);
  return parts.join(' ');
}

/** Runs every seed, spread over worker threads that each take the next seed when free. */
async function runSeeds(cli: CliOptions, onReport: (report: SimulationReport) => void): Promise<void> {
  const seeds = Array.from({ length: cli.seeds }, (_, i) => cli.firstSeed + i);
  if (cli.workers === 0) {
    for (const seed of seeds) onReport(await runSimulation(simulationOptions(cli, seed)));
    return;
  }
  let next = 0;
  const workerCount = Math.min(cli.workers, seeds.length);
  await Promise.all(
    Array.from(
      { length: workerCount },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { cli } });
          const feed = (): void => {
            const seed = seeds[next++];
            if (seed === undefined) {
              void worker.terminate().then(() => resolve());
              return;
            }
            worker.postMessage(seed);
          };
          worker.on('message', (report: SimulationReport) => {
            onReport(report);
            feed();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0 && code !== 1) reject(new Error(`worker exited with code ${code}`));
          });
          feed();
        }),
    ),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

async function main(): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message !== '') console.error(`raft-sim: ${error.message}`);
    console.error(USAGE);
    return error.message === '' ? 0 : 2;
  }
  const last = cli.firstSeed + cli.seeds - 1;
  console.log(
    `raft-sim: seeds ${cli.firstSeed}..${last}, ${cli.nodes} nodes, faults ${cli.faults.join(',') || 'none'}, ` +
      `${cli.workers} worker${cli.workers === 1 ? '' : 's'}` +
      (cli.membership === undefined ? '' : `, membership ${cli.membership}`),
  );
  const started = performance.now();
  const failures: SimulationReport[] = [];
  let done = 0;
  let violations = 0;
  let checked = 0;
  let invoked = 0;
  let elections = 0;
  let snapshotsCreated = 0;
  let snapshotsInstalled = 0;
  let events = 0;
  let virtualMs = 0;
  const linearizability = { ok: 0, violation: 0, unknown: 0, skipped: 0 };
  const recoveries: number[] = [];
  let recoveriesMeasured = 0;
  let notRecovered = 0;
  let within = 0;
  let electionTimeoutMs = 0;
  const membership = { runs: 0, completed: 0, changes: 0, steps: 0, stepsAfterWrites: 0 };
  const progressEvery = Math.max(1, Math.ceil(cli.seeds / 10));

  await runSeeds(cli, (report) => {
    done++;
    violations += report.violations.length;
    checked += report.operations.checked;
    invoked += report.operations.invoked;
    elections += report.elections;
    snapshotsCreated += report.snapshots.created;
    snapshotsInstalled += report.snapshots.installed;
    events += report.events;
    virtualMs += report.virtualTimeMs;
    linearizability[report.linearizability]++;
    electionTimeoutMs = report.electionTimeoutMs;
    if (report.membership !== undefined) {
      membership.runs++;
      if (report.membership.stepsDone === report.membership.steps) membership.completed++;
      membership.changes += report.membership.changes;
      membership.steps += report.membership.stepsDone;
      // Steps taken once clients stopped (quiet phase) wait for no write; the others follow at least one.
      membership.stepsAfterWrites += report.membership.writesBetweenSteps.filter(
        (writes) => writes > 0,
      ).length;
    }
    for (const recovery of report.leaderRecoveries) {
      recoveriesMeasured++;
      if (recovery.withinTenElectionTimeouts) within++;
      if (recovery.durationMs === undefined) notRecovered++;
      else recoveries.push(recovery.durationMs);
    }
    if (!report.ok) {
      failures.push(report);
      console.log(`  seed ${report.seed}: ${report.violations.map(formatViolation)[0] ?? 'failed'}`);
    }
    if (done % progressEvery === 0 && done < cli.seeds) {
      console.error(
        `  ... ${done}/${cli.seeds} seeds, ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  });

  const seconds = (performance.now() - started) / 1000;
  recoveries.sort((a, b) => a - b);
  const bound = 10 * electionTimeoutMs;
  const pct = (part: number, whole: number): string =>
    whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
  console.log(`seeds run: ${done} (${failures.length} failed) in ${seconds.toFixed(1)} s`);
  console.log(`violations: ${violations}`);
  console.log(
    `operations checked: ${checked} of ${invoked} invoked; linearizability ok ${linearizability.ok}, ` +
      `undecided ${linearizability.unknown}, skipped ${linearizability.skipped}, violated ${linearizability.violation}`,
  );
  console.log(`elections: ${elections}; events: ${events}; virtual time: ${(virtualMs / 1000).toFixed(0)} s`);
  console.log(`snapshots: ${snapshotsCreated} taken, ${snapshotsInstalled} installed from a leader`);
  if (membership.runs > 0) {
    console.log(
      `membership: ${membership.completed}/${membership.runs} scenarios completed, ${membership.steps} steps ` +
        `(${membership.stepsAfterWrites} after client writes were acknowledged since the previous one, the rest ` +
        `in the quiet phase), ${membership.changes} configuration changes observed`,
    );
  }
  console.log(
    `leader-loss recovery: ${recoveriesMeasured} leader crashes; median ${percentile(recoveries, 0.5).toFixed(0)} ms, ` +
      `p99 ${percentile(recoveries, 0.99).toFixed(0)} ms; ${pct(within, recoveriesMeasured)} within 10 election ` +
      `timeouts (${bound} ms); ${notRecovered} without a new leader before the run ended`,
  );

  if (failures.length > 0) {
    const first = failures[0] as SimulationReport;
    console.log('');
    console.log(`FAILED seed ${first.seed}:`);
    for (const violation of first.violations) console.log(`  ${formatViolation(violation)}`);
    // The trace up to the first violation: what led there, not the quiet phase after it.
    const firstAt = Math.min(...first.violations.map((violation) => violation.time));
    const upTo = first.trace.filter((record) => record.time <= firstAt);
    const shown = upTo.slice(-cli.traceLines);
    console.log(`trace: the ${shown.length} lines before the first violation (virtual ms, node, event):`);
    for (const record of shown) console.log(formatTraceRecord(record));
    console.log(`${'-'.repeat(12)} first violation at ${firstAt.toFixed(3)} ms`);
    console.log('');
    for (const failure of failures) console.log(`replay: ${replayCommand(cli, failure.seed)}`);
    try {
      mkdirSync('sim-failures', { recursive: true });
      for (const failure of failures) {
        const file = `sim-failures/seed-${failure.seed}-n${failure.nodes}.txt`;
        const text = [
          `replay: ${replayCommand(cli, failure.seed)}`,
          ...failure.violations.map(formatViolation),
          '',
          ...failure.trace.map(formatTraceRecord),
        ].join('\n');
        writeFileSync(file, `${text}\n`);
      }
      console.log(`full traces written to sim-failures/`);
    } catch {
      // Printing already told the story; a read-only directory is not a reason to fail differently.
    }
    return 1;
  }
  return 0;
}

function workerLoop(): void {
  const { cli } = workerData as { cli: CliOptions };
  const port = parentPort;
  if (port === null) return;
  port.on('message', (seed: number) => {
    runSimulation(simulationOptions(cli, seed)).then(
      (report) => port.postMessage(report),
      (error: unknown) => {
        throw error;
      },
    );
  });
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
} else {
  workerLoop();
}
