// What @raft/otel's metrics cost the core benchmark's cluster, measured in one process:
//   node core-instrumentation-round.mjs <entryBytes> <sliceMs> <slices> <inFlight> <instrumentedFirst 0|1> [tracing]
// With `tracing`, a tracing SDK is registered globally too (registerTracingSdk), so the instrumented
// cluster also starts spans at the package's default sampling; the line then says how many were exported.
// Two 3-node clusters live side by side, one plain and one with @raft/otel's metrics on every node.
// They take turns, `slices` turns each of `sliceMs`, alternating which goes first, so both see the same
// heap, JIT state and machine load. (Separate processes differ by ±15% from each other in throughput,
// far more than the cost being measured.) The clusters share the process's compiled code: a 1 s warm-up
// in alternating turns lets the JIT see both before it settles, and callers alternate which cluster is
// started first. Prints one JSON line with each side's committed entries, wall time and process CPU
// time (user + system, GC threads included) summed over its turns.
import { drive, otelMetrics, payloadOf, registerTracingSdk, startCluster } from './core-cluster.mjs';

const [entryBytes, sliceMs, slices, inFlight, instrumentedFirst] = process.argv.slice(2, 7).map(Number);
const spansExported = process.argv[7] === 'tracing' ? await registerTracingSdk() : undefined;
const WARMUP_MS = 1_000;
const WARMUP_TURNS = 10;
const payload = payloadOf(entryBytes);

const metrics = await otelMetrics();
const start = {
  plain: () => startCluster({ voters: 3, prefix: 'p' }),
  instrumented: () => startCluster({ voters: 3, prefix: 'i', observerFor: metrics.observerFor }),
};
const sides = { plain: undefined, instrumented: undefined };
for (const key of instrumentedFirst === 1 ? ['instrumented', 'plain'] : ['plain', 'instrumented']) {
  sides[key] = { cluster: await start[key](), committed: 0, wallMs: 0, cpuMs: 0 };
}
// Warm up in short alternating turns, so the JIT sees both clusters (with and without an observer)
// before it settles: otherwise the code is first optimised for whichever ran first.
for (let turn = 0; turn < WARMUP_TURNS; turn++) {
  for (const side of turn % 2 === 0 ? [sides.plain, sides.instrumented] : [sides.instrumented, sides.plain]) {
    await drive(side.cluster.leader, payload, inFlight, performance.now() + WARMUP_MS / WARMUP_TURNS);
  }
}
for (let slice = 0; slice < slices; slice++) {
  const order = slice % 2 === 0 ? [sides.plain, sides.instrumented] : [sides.instrumented, sides.plain];
  for (const side of order) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    side.committed += await drive(side.cluster.leader, payload, inFlight, started + sliceMs);
    side.wallMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    side.cpuMs += (cpu.user + cpu.system) / 1000;
  }
}
await metrics.collect();
await Promise.all(Object.values(sides).map((side) => side.cluster.stop()));
const summary = (side) => ({ committed: side.committed, wallMs: side.wallMs, cpuMs: side.cpuMs });
process.stdout.write(
  `${JSON.stringify({ entryBytes, inFlight, sliceMs, slices, plain: summary(sides.plain), instrumented: summary(sides.instrumented), ...(spansExported === undefined ? {} : { spansExported: spansExported() }) })}\n`,
);
