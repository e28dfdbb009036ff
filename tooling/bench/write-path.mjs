// Where one client's write spends its time on a 3-node raft-kv cluster: sequential PUTs (256-byte values)
// from one keep-alive connection for N seconds, then, from the leader's and one follower's `/metrics`
// before and after, how many storage writes, applies and sampled proposals each PUT cost and their mean
// durations. Not part of `pnpm bench`; run `node tooling/bench/write-path.mjs [seconds]` after a build.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKvCluster } from './lib/kv-cluster.mjs';
import { metricSums } from './lib/prometheus.mjs';
import { VALUE_BYTES } from './lib/wrk-scripts.mjs';

const seconds = Number(process.argv[2] ?? 5);
const METRICS = ['raft_persist_duration', 'raft_apply_duration', 'raft_proposal_duration'];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const value = 'v'.repeat(VALUE_BYTES);

function put(url, key) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/kv/${key}`, { method: 'PUT', agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.end(value);
  });
}

/** Sums of `<metric>_count` and `<metric>_sum` over all series. */
const histogramSums = (url) =>
  metricSums(
    url,
    METRICS.flatMap((metric) => [`${metric}_count`, `${metric}_sum`]),
  );

const root = mkdtempSync(join(tmpdir(), 'raft-write-path-'));
const cluster = await startKvCluster(root);
try {
  const follower = [...cluster.urls.values()].find((url) => url !== cluster.leaderUrl);
  for (let i = 0; i < 300; i++) await put(cluster.leaderUrl, `warm-${i}`);
  const before = [await histogramSums(cluster.leaderUrl), await histogramSums(follower)];
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const startedAt = performance.now();
    const status = await put(cluster.leaderUrl, `key-${latencies.length % 1000}`);
    if (status !== 200) throw new Error(`PUT answered ${status}`);
    latencies.push(performance.now() - startedAt);
  }
  const after = [await histogramSums(cluster.leaderUrl), await histogramSums(follower)];
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(3);
  console.log(
    `${latencies.length} PUTs in ${seconds} s, one at a time: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms`,
  );
  ['leader', 'follower'].forEach((role, i) => {
    const parts = METRICS.map((metric) => {
      const count = after[i][`${metric}_count`] - before[i][`${metric}_count`];
      const sum = after[i][`${metric}_sum`] - before[i][`${metric}_sum`];
      if (!(count > 0)) return undefined;
      return `${metric.replace('raft_', '').replace('_duration', '')} ${(count / latencies.length).toFixed(2)} per PUT, mean ${((sum / count) * 1000).toFixed(3)} ms`;
    });
    console.log(`${role}: ${parts.filter(Boolean).join('; ')}`);
  });
  console.log('(proposal durations are sampled: every 10th proposal by default)');
} finally {
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}
