// Core engine: committed entries per second and CPU time per entry of a 3-node in-process cluster
// (memory storage and network), against a single-voter node (no replication) measured in the same run.
// Rounds alternate between the two so drifting machine load hits both alike; each round runs in a
// fresh process (core-round.mjs) and the median of the rounds is reported.
import { fileURLToPath } from 'node:url';
import { median, round } from './median.mjs';
import { runToEnd } from './processes.mjs';

const ROUND_SCRIPT = fileURLToPath(new URL('./core-round.mjs', import.meta.url));
const IN_FLIGHT = 1_024;

async function oneRound(voters, entryBytes, durationMs) {
  const output = await runToEnd(process.execPath, [
    ROUND_SCRIPT,
    String(voters),
    String(entryBytes),
    String(durationMs),
    String(IN_FLIGHT),
  ]);
  return JSON.parse(output.stdout.trim().split('\n').at(-1));
}

/** Runs the core benchmark; `quick` means one 2 s round per point instead of three of 3 s. */
export async function coreBench({ quick, log }) {
  const rounds = quick ? 1 : 3;
  const durationMs = quick ? 2_000 : 3_000;
  const results = [];
  for (const entryBytes of [64, 1_024]) {
    const samples = { 3: [], 1: [] };
    for (let round = 0; round < rounds; round++) {
      for (const voters of round % 2 === 0 ? [3, 1] : [1, 3]) {
        samples[voters].push(await oneRound(voters, entryBytes, durationMs));
      }
    }
    const summarise = (list) => ({
      entriesPerSecond: round(median(list.map((s) => s.committed / (s.wallMs / 1000)))),
      cpuMicrosPerEntry: round(median(list.map((s) => (s.cpuMs * 1000) / s.committed)), 2),
    });
    const cluster = summarise(samples[3]);
    const single = summarise(samples[1]);
    const row = {
      entryBytes,
      threeNodes: cluster,
      singleVoter: single,
      throughputRatio: round(cluster.entriesPerSecond / single.entriesPerSecond, 3),
      cpuPerEntryRatio: round(cluster.cpuMicrosPerEntry / single.cpuMicrosPerEntry, 3),
    };
    log(
      `core ${entryBytes} B: 3 nodes ${cluster.entriesPerSecond}/s ${cluster.cpuMicrosPerEntry} us CPU/entry; ` +
        `single voter ${single.entriesPerSecond}/s ${single.cpuMicrosPerEntry} us; ratio ${row.throughputRatio}`,
    );
    results.push(row);
  }
  return {
    description:
      '3-node in-process cluster (createRaftNode, memoryStorage, memoryNetwork) vs a single-voter node, ' +
      `${IN_FLIGHT} proposals in flight on the leader`,
    rounds,
    durationMs,
    inFlight: IN_FLIGHT,
    results,
  };
}
