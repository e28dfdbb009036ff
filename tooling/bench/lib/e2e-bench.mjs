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
import { round } from './median.mjs';
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

/** Runs the end-to-end benchmark; `quick` runs 1 and 64 connections for 2 s each. */
export async function e2eBench({ quick, log }) {
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
    const workloads = {};
    let turn = 0;
    for (const operation of ['put', 'get']) {
      if (operation === 'get') {
        for (const system of systems) await preloadGetKeys(system.prefix, system.url);
      }
      const rows = [];
      for (const count of connections) {
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
        rows.push(row);
      }
      workloads[operation] = rows;
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
    };
  } finally {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

/** The targets, judged from the full e2e results (undefined where a point was not measured). */
export function targets(e2e) {
  const at = (operation, count) => e2e.workloads?.[operation]?.find((row) => row.connections === count);
  const put64 = at('put', 64);
  const put1 = at('put', 1);
  const get64 = at('get', 64);
  const target = (name, row, pass, value, goal) =>
    row?.ratio
      ? { target: name, measured: value(row.ratio), goal, met: pass(row.ratio) }
      : { target: name, measured: null, goal, met: null };
  return [
    target(
      'PUT throughput at 64 connections, ours / etcd',
      put64,
      (r) => r.throughput >= 2,
      (r) => r.throughput,
      '>= 2',
    ),
    target(
      'PUT p99 at 64 connections, ours / etcd',
      put64,
      (r) => r.p99 <= 1,
      (r) => r.p99,
      '<= 1',
    ),
    target(
      'PUT p50 at 1 connection, ours / etcd',
      put1,
      (r) => r.p50 <= 1,
      (r) => r.p50,
      '<= 1',
    ),
    target(
      'linearizable GET throughput at 64 connections, ours / etcd',
      get64,
      (r) => r.throughput >= 2,
      (r) => r.throughput,
      '>= 2',
    ),
  ];
}
