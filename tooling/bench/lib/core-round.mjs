// One round of the core engine benchmark, in a fresh process so rounds do not share a heap or JIT state:
//   node core-round.mjs <voters 1|3> <entryBytes> <durationMs> <inFlight>
// Prints one JSON line: committed entries, wall time and CPU time (user + system) of the whole process,
// measured after a warm-up. Every node lives in this process, so the CPU time is what the cluster spent.
import { drive, payloadOf, startCluster } from './core-cluster.mjs';

const [voters, entryBytes, durationMs, inFlight] = process.argv.slice(2).map(Number);
const WARMUP_MS = Math.min(1_000, durationMs / 2);
const payload = payloadOf(entryBytes);

const cluster = await startCluster({ voters });
await drive(cluster.leader, payload, inFlight, performance.now() + WARMUP_MS);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const committed = await drive(cluster.leader, payload, inFlight, started + durationMs);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await cluster.stop();
process.stdout.write(
  `${JSON.stringify({ voters, entryBytes, inFlight, committed, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
