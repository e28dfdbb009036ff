// End to end: a 3-node raft-kv cluster (separate processes, LevelDB storage, WebSocket transport)
// under wrk, PUT with 256-byte values and linearizable GET, against a 3-member etcd cluster on the same
// loopback under the same load. Both clusters run side by side and the points alternate between them
// (who goes first alternates too), so a change in the machine's load hits both alike. Load goes to
// each cluster's leader.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcdCluster } from './etcd-cluster.mjs';
import { startKvCluster } from './kv-cluster.mjs';
import { ensureLoadTools } from './load-tools.mjs';
import { median, round } from './median.mjs';
import { wrkPoint } from './wrk-runner.mjs';
import { preloadGetKeys, VALUE_BYTES } from './wrk-scripts.mjs';

/** The ratios ours / etcd of one point; latency ratios below 1 and throughput ratios above 1 favour us. */
function ratios(ours, etcd) {
  return {
    throughput: round(ours.requestsPerSecond / etcd.requestsPerSecond, 3),
    p50: round(ours.p50Ms / etcd.p50Ms, 3),
    p99: round(ours.p99Ms / etcd.p99Ms, 3),
  };
}

/** The points the targets are judged on: [operation, connections]. */
const TARGET_POINTS = [
  ['put', 64],
  ['put', 1],
  ['get', 64],
];

/**
 * Runs the end-to-end benchmark; `quick` runs 1 and 64 connections for 2 s each. A full run then
 * measures the target points `targetRounds - 1` more times (both systems each time, who goes first
 * alternating), because one 5 s point moves by ±20% in throughput and ±50% in p99 between runs here.
 */
export async function e2eBench({ quick, log, targetRounds = quick ? 1 : 3 }) {
  const tools = ensureLoadTools(log);
  if (!tools.wrk) return { skipped: 'wrk is not installed' };
  const connections = quick ? [1, 64] : [1, 16, 64, 256];
  const seconds = quick ? 2 : 5;
  const warmupSeconds = quick ? 1 : 2;
  const root = mkdtempSync(join(tmpdir(), 'raft-bench-e2e-'));
  const clusters = [];
  try {
    mkdirSync(join(root, 'kv'));
    const kv = await startKvCluster(join(root, 'kv'));
    clusters.push(kv);
    const systems = [{ name: 'raft-kv', prefix: 'kv', url: kv.leaderUrl }];
    if (tools.etcd) {
      mkdirSync(join(root, 'etcd'));
      const etcd = await startEtcdCluster(join(root, 'etcd'));
      clusters.push(etcd);
      systems.push({ name: 'etcd', prefix: 'etcd', url: etcd.leaderUrl });
    } else {
      log('etcd is not installed: measuring raft-kv alone, without the ratio table');
    }
    let turn = 0;
    /** One point on every system, who goes first alternating from one point to the next. */
    const measure = async (operation, count) => {
      const row = { connections: count };
      const order = turn++ % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        row[system.name] = await wrkPoint({
          workload: `${system.prefix}-${operation}`,
          url: system.url,
          connections: count,
          seconds,
          warmupSeconds,
          scriptDir: root,
        });
      }
      if (row.etcd) row.ratio = ratios(row['raft-kv'], row.etcd);
      const ours = row['raft-kv'];
      log(
        `e2e ${operation} c=${count}: raft-kv ${ours.requestsPerSecond}/s p50 ${ours.p50Ms} ms p99 ${ours.p99Ms} ms` +
          (row.etcd
            ? `; etcd ${row.etcd.requestsPerSecond}/s p50 ${row.etcd.p50Ms} ms p99 ${row.etcd.p99Ms} ms; ratio ${row.ratio.throughput}`
            : ''),
      );
      return row;
    };
    const workloads = {};
    for (const operation of ['put', 'get']) {
      if (operation === 'get') {
        for (const system of systems) await preloadGetKeys(system.prefix, system.url);
      }
      const rows = [];
      for (const count of connections) rows.push(await measure(operation, count));
      workloads[operation] = rows;
    }
    const repeats = [];
    if (tools.etcd) {
      for (let pass = 2; pass <= targetRounds; pass++) {
        for (const [operation, count] of TARGET_POINTS) {
          repeats.push({ round: pass, operation, ...(await measure(operation, count)) });
        }
      }
    }
    return {
      description:
        '3-node raft-kv vs 3-member etcd (default durability) on loopback under wrk (1 thread), load on the leader',
      put: `PUT /kv/{key} (etcd: POST /v3/kv/put) with ${VALUE_BYTES}-byte values over 1,000 keys`,
      get: 'GET /kv/{key}?consistency=linearizable (etcd: POST /v3/kv/range, linearizable) over 100 keys',
      seconds,
      warmupSeconds,
      etcd: tools.etcd,
      workloads,
      targetRounds: tools.etcd ? targetRounds : 1,
      repeats,
    };
  } finally {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The targets, judged from the full e2e results (undefined where a point was not measured):
 * the median over the rounds of each target point (the sweep's measurement, then the repeats), with
 * every round's value listed.
 */
export function targets(e2e) {
  const rounds = (operation, count) => {
    const first = e2e.workloads?.[operation]?.find((row) => row.connections === count);
    const repeated = (e2e.repeats ?? []).filter(
      (row) => row.operation === operation && row.connections === count,
    );
    return [first, ...repeated].filter((row) => row?.ratio !== undefined).map((row) => row.ratio);
  };
  const target = (name, [operation, count], key, goal, pass) => {
    const values = rounds(operation, count).map((ratio) => ratio[key]);
    if (values.length === 0) return { target: name, measured: null, rounds: [], goal, met: null };
    const measured = round(median(values), 3);
    return { target: name, measured, rounds: values, goal, met: pass(measured) };
  };
  return [
    target('PUT throughput at 64 connections, ours / etcd', ['put', 64], 'throughput', '>= 2', (v) => v >= 2),
    target('PUT p99 at 64 connections, ours / etcd', ['put', 64], 'p99', '<= 1', (v) => v <= 1),
    target('PUT p50 at 1 connection, ours / etcd', ['put', 1], 'p50', '<= 1', (v) => v <= 1),
    target(
      'linearizable GET throughput at 64 connections, ours / etcd',
      ['get', 64],
      'throughput',
      '>= 2',
      (v) => v >= 2,
    ),
  ];
}
