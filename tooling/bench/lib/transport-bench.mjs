// Transport: messages per second and round-trip p50/p99 between two processes on loopback, as a ratio
// to raw `ws` with the same frames and flow control, by running @raft/transport-ws's own benchmark
// (bench/bench.mjs with its second process bench/peer.mjs).
import { fileURLToPath } from 'node:url';
import { runPackageBench } from './package-bench.mjs';

const SCRIPT = fileURLToPath(new URL('../../../packages/transport-ws/bench/bench.mjs', import.meta.url));
const RESULTS = fileURLToPath(
  new URL('../../../packages/transport-ws/bench/results/latest.json', import.meta.url),
);

/** Runs the transport benchmark; `quick` sends fewer messages and round trips. */
export async function transportBench({ quick, log }) {
  const env = quick
    ? { BENCH_SMALL: '30000', BENCH_LARGE: '6000', BENCH_ROUND_TRIPS: '1000' }
    : { BENCH_SMALL: '100000', BENCH_LARGE: '20000', BENCH_ROUND_TRIPS: '3000' };
  const { report } = await runPackageBench(SCRIPT, RESULTS, env);
  for (const row of report.throughput) {
    log(
      `transport ${row.scenario}: ${row.transport.messagesPerSecond} msg/s, raw ws ${row.raw.messagesPerSecond} msg/s, ratio ${row.ratio}`,
    );
  }
  const rtt = report.roundTrip;
  log(
    `transport round trip p50 ${rtt.transport.p50Ms.toFixed(3)} ms (raw ${rtt.raw.p50Ms.toFixed(3)}), ` +
      `p99 ${rtt.transport.p99Ms.toFixed(3)} ms (raw ${rtt.raw.p99Ms.toFixed(3)})`,
  );
  return {
    description: 'webSocketTransport vs raw ws between two processes on loopback, same frames and window',
    source: 'packages/transport-ws/bench/bench.mjs',
    window: report.window,
    throughput: report.throughput,
    roundTrip: report.roundTrip,
    transportDrops: report.transportDrops,
  };
}
