// Core engine: committed entries per second and CPU time per entry of a 3-node in-process cluster
// (memory storage and network), against a single-voter node (no replication) measured in the same run,
// and the same 3-node cluster with @raft/otel's metrics on every node (what instrumentation costs).
// Rounds rotate between the three so drifting machine load hits all alike; each round runs in a fresh
// process (core-round.mjs) and the median of the rounds is reported. The instrumentation's cost is a few
// percent, well inside the spread of single rounds on a shared machine, so the plain and instrumented
// clusters run more rounds, in adjacent pairs, and the cost is the median of the pairs' ratios.
import { fileURLToPath } from 'node:url';
import { median, round } from './median.mjs';
import { runToEnd } from './processes.mjs';

const ROUND_SCRIPT = fileURLToPath(new URL('./core-round.mjs', import.meta.url));
const IN_FLIGHT = 1_024;

/** The three kinds of round: 3 nodes, a single voter, 3 nodes with @raft/otel metrics. */
const KINDS = [
  { key: 'threeNodes', voters: 3, instrumented: 0 },
  { key: 'singleVoter', voters: 1, instrumented: 0 },
  { key: 'instrumented', voters: 3, instrumented: 1 },
];

async function oneRound(kind, entryBytes, durationMs) {
  const output = await runToEnd(process.execPath, [
    ROUND_SCRIPT,
    String(kind.voters),
    String(entryBytes),
    String(durationMs),
    String(IN_FLIGHT),
    String(kind.instrumented),
  ]);
  return JSON.parse(output.stdout.trim().split('\n').at(-1));
}

const throughput = (sample) => sample.committed / (sample.wallMs / 1000);

/**
 * Runs the core benchmark; `quick` means one 2 s round per point instead of three of 3 s (seven for
 * the plain and instrumented clusters).
 */
export async function coreBench({ quick, log }) {
  const rounds = quick ? 1 : 3;
  const pairedRounds = quick ? 1 : 7;
  const durationMs = quick ? 2_000 : 3_000;
  const results = [];
  for (const entryBytes of [64, 1_024]) {
    const samples = { threeNodes: [], singleVoter: [], instrumented: [] };
    for (let round = 0; round < pairedRounds; round++) {
      // Rotate who goes first, so no kind always runs on a warmer or cooler machine.
      const kinds = round < rounds ? KINDS : KINDS.filter((kind) => kind.key !== 'singleVoter');
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
      for (const kind of order) samples[kind.key].push(await oneRound(kind, entryBytes, durationMs));
    }
    const pairRatios = samples.instrumented.map(
      (sample, i) => throughput(sample) / throughput(samples.threeNodes[i]),
    );
    const summarise = (list) => ({
      entriesPerSecond: round(median(list.map(throughput))),
      cpuMicrosPerEntry: round(median(list.map((s) => (s.cpuMs * 1000) / s.committed)), 2),
    });
    const cluster = summarise(samples.threeNodes);
    const single = summarise(samples.singleVoter);
    const instrumented = summarise(samples.instrumented);
    const row = {
      entryBytes,
      threeNodes: cluster,
      singleVoter: single,
      instrumented,
      throughputRatio: round(cluster.entriesPerSecond / single.entriesPerSecond, 3),
      cpuPerEntryRatio: round(cluster.cpuMicrosPerEntry / single.cpuMicrosPerEntry, 3),
      // What @raft/otel's metrics cost the same cluster: 1 - instrumented / plain throughput, the median
      // over adjacent pairs of rounds.
      instrumentationThroughputCost: round(1 - median(pairRatios), 3),
      instrumentationPairRatios: pairRatios.map((ratio) => round(ratio, 3)),
      instrumentationCpuCost: round(instrumented.cpuMicrosPerEntry / cluster.cpuMicrosPerEntry - 1, 3),
    };
    log(
      `core ${entryBytes} B: 3 nodes ${cluster.entriesPerSecond}/s ${cluster.cpuMicrosPerEntry} us CPU/entry; ` +
        `single voter ${single.entriesPerSecond}/s ${single.cpuMicrosPerEntry} us; ratio ${row.throughputRatio}; ` +
        `with @raft/otel metrics ${instrumented.entriesPerSecond}/s ${instrumented.cpuMicrosPerEntry} us`,
    );
    results.push(row);
  }
  return {
    description:
      '3-node in-process cluster (createRaftNode, memoryStorage, memoryNetwork) vs a single-voter node, ' +
      `and vs the same cluster with @raft/otel metrics on every node; ${IN_FLIGHT} proposals in flight on the leader`,
    rounds,
    pairedRounds,
    durationMs,
    inFlight: IN_FLIGHT,
    results,
  };
}
