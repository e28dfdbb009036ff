// One round of the core engine benchmark, in a fresh process so rounds do not share a heap or JIT state:
//   node core-round.mjs <voters 1|3> <entryBytes> <durationMs> <inFlight> [instrumented 0|1]
// Prints one JSON line: committed entries, wall time and CPU time (user + system) of the whole process,
// measured after a warm-up. Every node lives in this process, so the CPU time is what the cluster spent.
// `instrumented` gives every node @raft/otel's metrics (a MeterProvider with a reader, collected at the
// end, as in a deployment), to measure what instrumentation costs against the same cluster without it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createRaftNode, memoryNetwork, memoryStorage } from '../../../packages/core/dist/index.js';

const [voters, entryBytes, durationMs, inFlight, instrumented = 0] = process.argv.slice(2).map(Number);
const WARMUP_MS = Math.min(1_000, durationMs / 2);
const DEADLINE_MS = 10_000;
const ids = ['n1', 'n2', 'n3'].slice(0, voters);
const payload = Uint8Array.from({ length: entryBytes }, (_, i) => (i * 31 + 7) & 0xff);

/** A state machine that counts, with a tiny snapshot so the log is compacted as in a real server. */
function countingStateMachine() {
  let applied = 0;
  return {
    apply(entries) {
      applied += entries.length;
      return entries.map((entry) => entry.index);
    },
    async *snapshot() {
      yield new TextEncoder().encode(String(applied));
    },
    async restore(chunks) {
      let text = '';
      for await (const chunk of chunks) text += new TextDecoder().decode(chunk);
      applied = Number(text);
    },
  };
}

/** @raft/otel's observers on one MeterProvider, loaded only when asked (the SDK is otel's dev dependency). */
async function instrumentation() {
  if (instrumented !== 1) return undefined;
  const otelPackage = new URL('../../../packages/otel/package.json', import.meta.url);
  const sdk = await import(
    pathToFileURL(createRequire(otelPackage).resolve('@opentelemetry/sdk-metrics')).href
  );
  const { raftInstrumentation } = await import('../../../packages/otel/dist/index.js');
  class ManualReader extends sdk.MetricReader {
    async onShutdown() {}
    async onForceFlush() {}
  }
  const reader = new ManualReader();
  const meterProvider = new sdk.MeterProvider({ readers: [reader] });
  return {
    observer: (id) => raftInstrumentation({ nodeId: id, meterProvider }).observer,
    collect: () => reader.collect(),
  };
}

const metrics = await instrumentation();
const network = memoryNetwork();
const nodes = ids.map((id) =>
  createRaftNode({
    id,
    storage: memoryStorage(),
    transport: network.transport(id),
    stateMachine: countingStateMachine(),
    initialMembers: ids,
    // Without compaction a few seconds of 1 KiB entries on three in-memory logs would need gigabytes.
    snapshot: { everyEntries: 20_000, keepEntries: 1_000 },
    ...(metrics === undefined ? {} : { observer: metrics.observer(id) }),
  }),
);
await Promise.all(nodes.map((node) => node.start()));
const leader = nodes[0];
leader.campaign();
const electedBy = performance.now() + DEADLINE_MS;
while (leader.status().role !== 'leader') {
  if (performance.now() > electedBy) throw new Error('no leader within 10 s');
  await new Promise((resolve) => setImmediate(resolve));
}

/** Keeps `inFlight` proposals outstanding on the leader until `until`; resolves with how many committed. */
function drive(until) {
  return new Promise((resolve, reject) => {
    let committed = 0;
    let outstanding = 0;
    const next = () => {
      outstanding--;
      committed++;
      if (performance.now() < until) propose();
      else if (outstanding === 0) resolve(committed);
    };
    const propose = () => {
      outstanding++;
      leader.propose(payload).then(next, reject);
    };
    for (let i = 0; i < inFlight; i++) propose();
  });
}

await drive(performance.now() + WARMUP_MS);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const committed = await drive(started + durationMs);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await metrics?.collect();
await Promise.all(nodes.map((node) => node.stop()));
process.stdout.write(
  `${JSON.stringify({ voters, entryBytes, inFlight, instrumented: instrumented === 1, committed, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
