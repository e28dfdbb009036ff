// Runs wrk against one URL with one of the generated scripts and returns throughput and latency.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './median.mjs';
import { runToEnd } from './processes.mjs';
import { wrkScript } from './wrk-scripts.mjs';

/**
 * One measured point: a warm-up run of `warmupSeconds` (discarded) then `seconds` of load with
 * `connections` connections on one wrk thread. Throughput counts successful (2xx) responses only.
 */
export async function wrkPoint({ workload, url, connections, seconds, warmupSeconds, scriptDir }) {
  const script = join(scriptDir, `${workload}.lua`);
  writeFileSync(script, wrkScript(workload));
  const run = async (duration) => {
    const output = await runToEnd('wrk', [
      '-t1',
      `-c${connections}`,
      `-d${duration}s`,
      '--timeout',
      '10s',
      '--latency',
      '-s',
      script,
      url,
    ]);
    const line = output.stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
    if (!line) throw new Error(`no summary from wrk:\n${output.stdout}`);
    return { summary: JSON.parse(line.slice('BENCH_JSON '.length)), text: output.stdout };
  };
  if (warmupSeconds > 0) await run(warmupSeconds);
  const { summary } = await run(seconds);
  const errors =
    summary.connectErrors +
    summary.readErrors +
    summary.writeErrors +
    summary.statusErrors +
    summary.timeouts;
  const ok = summary.requests - summary.statusErrors;
  return {
    connections,
    seconds: round(summary.durationUs / 1e6, 2),
    requests: summary.requests,
    errors,
    requestsPerSecond: round(ok / (summary.durationUs / 1e6)),
    p50Ms: round(summary.p50Us / 1000, 3),
    p90Ms: round(summary.p90Us / 1000, 3),
    p99Ms: round(summary.p99Us / 1000, 3),
    maxMs: round(summary.maxUs / 1000, 3),
  };
}
