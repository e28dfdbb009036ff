// Core engine: committed entries per second and CPU time per entry of a 3-node in-process cluster
// (memory storage and network), against a single-voter node (no replication) measured in the same run,
// and what @raft/otel's metrics on every node cost the same cluster.
// Cluster rounds alternate between the 3-node and single-voter kinds so drifting machine load hits both
// alike; each round runs in a fresh process (core-round.mjs) and the median of the rounds is reported.
// The instrumentation's cost is a few percent, well inside the spread between processes, so it is
// measured inside each process, plain and instrumented clusters taking turns
// (core-instrumentation-round.mjs), and summed over the turns of all processes.
import { fileURLToPath } from 'node:url';
import { median, round } from './median.mjs';
import { runToEnd } from './processes.mjs';

const ROUND_SCRIPT = fileURLToPath(new URL('./core-round.mjs', import.meta.url));
const INSTRUMENTATION_SCRIPT = fileURLToPath(new URL('./core-instrumentation-round.mjs', import.meta.url));
const IN_FLIGHT = 1_024;
const SLICE_MS = 250;

const KINDS = [
  { key: 'threeNodes', voters: 3 },
  { key: 'singleVoter', voters: 1 },
];

async function runJson(script, args) {
  const output = await runToEnd(process.execPath, [script, ...args.map(String)]);
  return JSON.parse(output.stdout.trim().split('\n').at(-1));
}

const throughput = (sample) => sample.committed / (sample.wallMs / 1000);
const cpuMicrosPerEntry = (sample) => (sample.cpuMs * 1000) / sample.committed;

/** Sums the sides of several instrumentation processes: committed entries, wall and CPU time. */
function sumSides(samples, key) {
  const total = { committed: 0, wallMs: 0, cpuMs: 0 };
  for (const sample of samples) {
    for (const field of Object.keys(total)) total[field] += sample[key][field];
  }
  return total;
}

/** What @raft/otel's metrics cost: `processes` processes of `slices` turns per side. */
async function instrumentationCost(entryBytes, processes, slices) {
  const samples = [];
  for (let i = 0; i < processes; i++) {
    samples.push(await runJson(INSTRUMENTATION_SCRIPT, [entryBytes, SLICE_MS, slices, IN_FLIGHT, i % 2]));
  }
  const plain = sumSides(samples, 'plain');
  const instrumented = sumSides(samples, 'instrumented');
  return {
    plain: {
      entriesPerSecond: round(throughput(plain)),
      cpuMicrosPerEntry: round(cpuMicrosPerEntry(plain), 2),
    },
    instrumented: {
      entriesPerSecond: round(throughput(instrumented)),
      cpuMicrosPerEntry: round(cpuMicrosPerEntry(instrumented), 2),
    },
    // 1 - instrumented / plain throughput over all turns of all processes.
    throughputCost: round(1 - throughput(instrumented) / throughput(plain), 3),
    cpuCost: round(cpuMicrosPerEntry(instrumented) / cpuMicrosPerEntry(plain) - 1, 3),
    // The same ratio per process, to show the spread.
    processRatios: samples.map((sample) =>
      round(throughput(sample.instrumented) / throughput(sample.plain), 3),
    ),
  };
}

/**
 * Runs the core benchmark; `quick` means one 2 s round per cluster point instead of three of 3 s, and
 * one instrumentation process of 8 turns per side instead of six of 30.
 */
export async function coreBench({ quick, log }) {
  const rounds = quick ? 1 : 3;
  const durationMs = quick ? 2_000 : 3_000;
  const instrumentationProcesses = quick ? 1 : 6;
  const slices = quick ? 8 : 30;
  const results = [];
  for (const entryBytes of [64, 1_024]) {
    const samples = { threeNodes: [], singleVoter: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so neither kind always runs on a warmer or cooler machine.
      const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
      for (const kind of order) {
        samples[kind.key].push(await runJson(ROUND_SCRIPT, [kind.voters, entryBytes, durationMs, IN_FLIGHT]));
      }
    }
    const summarise = (list) => ({
      entriesPerSecond: round(median(list.map(throughput))),
      cpuMicrosPerEntry: round(median(list.map(cpuMicrosPerEntry)), 2),
    });
    const cluster = summarise(samples.threeNodes);
    const single = summarise(samples.singleVoter);
    const instrumentation = await instrumentationCost(entryBytes, instrumentationProcesses, slices);
    const row = {
      entryBytes,
      threeNodes: cluster,
      singleVoter: single,
      throughputRatio: round(cluster.entriesPerSecond / single.entriesPerSecond, 3),
      cpuPerEntryRatio: round(cluster.cpuMicrosPerEntry / single.cpuMicrosPerEntry, 3),
      instrumentation,
    };
    log(
      `core ${entryBytes} B: 3 nodes ${cluster.entriesPerSecond}/s ${cluster.cpuMicrosPerEntry} us CPU/entry; ` +
        `single voter ${single.entriesPerSecond}/s ${single.cpuMicrosPerEntry} us; ratio ${row.throughputRatio}; ` +
        `@raft/otel metrics cost ${round(instrumentation.throughputCost * 100, 1)}% throughput ` +
        `(per process ${instrumentation.processRatios.join(', ')})`,
    );
    results.push(row);
  }
  return {
    description:
      '3-node in-process cluster (createRaftNode, memoryStorage, memoryNetwork) vs a single-voter node, ' +
      `and vs the same cluster with @raft/otel metrics on every node; ${IN_FLIGHT} proposals in flight on the leader`,
    rounds,
    durationMs,
    inFlight: IN_FLIGHT,
    instrumentationProcesses,
    instrumentationSlices: slices,
    sliceMs: SLICE_MS,
    results,
  };
}
