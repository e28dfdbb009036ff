// Where a raft-kv leader spends its CPU under write load: starts the 3-node cluster with
// `node --cpu-prof`, runs wrk PUT (256-byte values) at 64 connections on the leader, stops the nodes
// gracefully (so the profiles are written) and summarises the leader's profile by self time, per
// function and per package. Not part of `pnpm bench`; run `node tooling/bench/profile.mjs [seconds]`
// after a build. Writes results/profile-latest.json and results/profile-latest.md; with KEEP_PROFILE=<file>
// it also keeps the leader's raw .cpuprofile there (for callers and inclusive times in DevTools).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKvCluster } from './lib/kv-cluster.mjs';
import { ensureLoadTools } from './lib/load-tools.mjs';
import { round } from './lib/median.mjs';
import { metricSums } from './lib/prometheus.mjs';
import { wrkPoint } from './lib/wrk-runner.mjs';

const seconds = Number(process.argv[2] ?? 10);
const CONNECTIONS = 64;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Which part of the system a profile frame belongs to, from its script URL. */
function areaOf(url, functionName) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace('file://', '').replace(REPO, '');
  const packageMatch = /^(packages|apps)\/([^/]+)\//.exec(path);
  if (packageMatch) return `${packageMatch[1]}/${packageMatch[2]}`;
  const moduleMatch = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (moduleMatch) return `dependency ${moduleMatch[1]}`;
  if (path.startsWith('node:')) return 'node internals';
  return path;
}

/** Self time per function and per area of a .cpuprofile, largest first. */
export function summariseProfile(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const functions = new Map();
  const areas = new Map();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const area = areaOf(url, functionName);
    const where = url ? `${url.replace('file://', '').replace(REPO, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`;
    const entry = functions.get(key) ?? { function: functionName || '(anonymous)', where, area, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const share = (micros) => round((micros / total) * 100, 1);
  return {
    totalMs: round(total / 1000),
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, micros]) => ({ area, percent: share(micros) })),
    functions: [...functions.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, 30)
      .map((entry) => ({
        function: entry.function,
        where: entry.where,
        area: entry.area,
        percent: share(entry.micros),
      })),
  };
}

/** Sums of the leader's persist metrics (count, seconds) from its Prometheus text. */
async function persistMetrics(url) {
  const sums = await metricSums(url, ['raft_persist_duration_count', 'raft_persist_duration_sum']);
  return { persists: sums.raft_persist_duration_count, seconds: sums.raft_persist_duration_sum };
}

/** Runs one wrk point and reports the leader's synced writes per request and their mean duration. */
async function measured(cluster, connections, loadSeconds, scriptDir) {
  const before = await persistMetrics(cluster.leaderUrl);
  const load = await wrkPoint({
    workload: 'kv-put',
    url: cluster.leaderUrl,
    connections,
    seconds: loadSeconds,
    warmupSeconds: 0,
    scriptDir,
  });
  const after = await persistMetrics(cluster.leaderUrl);
  const persists = after.persists - before.persists;
  return {
    ...load,
    leaderPersistsPerRequest: round(persists / load.requests, 3),
    leaderPersistMeanMs: round(((after.seconds - before.seconds) / persists) * 1000, 3),
  };
}

const tools = ensureLoadTools(console.log);
if (!tools.wrk) throw new Error('wrk is needed');
const root = mkdtempSync(join(tmpdir(), 'raft-bench-profile-'));
try {
  const profiles = join(root, 'profiles');
  mkdirSync(profiles);
  const cluster = await startKvCluster(root, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profiles}`] });
  let load;
  let single;
  try {
    single = await measured(cluster, 1, 3, root);
    load = await measured(cluster, CONNECTIONS, seconds, root);
  } finally {
    await cluster.stop();
  }
  const leaderPid = cluster.processes[[...cluster.urls.keys()].indexOf(cluster.leaderId)].child.pid;
  const file = readdirSync(profiles).find((name) => name.includes(`.${leaderPid}.`));
  if (!file)
    throw new Error(`no profile of the leader (pid ${leaderPid}) in ${readdirSync(profiles).join(', ')}`);
  if (process.env.KEEP_PROFILE) writeFileSync(process.env.KEEP_PROFILE, readFileSync(join(profiles, file)));
  const summary = summariseProfile(JSON.parse(readFileSync(join(profiles, file), 'utf8')));
  const report = {
    measured: new Date().toISOString(),
    connections: CONNECTIONS,
    seconds,
    single,
    load,
    leader: summary,
  };
  const md = [
    `# CPU profile of a raft-kv leader under PUT load (${CONNECTIONS} connections, ${seconds} s)`,
    '',
    `Measured ${report.measured}: ${load.requestsPerSecond} PUT/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms ` +
      `(with the profiler on). Profile covers the whole process life, ${summary.totalMs} ms of samples.`,
    '',
    'Synced writes (`storage.persist`) on the leader, from its `/metrics` before and after each load:',
    '',
    '| connections | PUT/s | p50 ms | persists per PUT | mean persist ms |',
    '| --- | --- | --- | --- | --- |',
    ...[single, load].map(
      (row) =>
        `| ${row.connections} | ${row.requestsPerSecond} | ${row.p50Ms} | ${row.leaderPersistsPerRequest} | ${row.leaderPersistMeanMs} |`,
    ),
    '',
    '## Self time by area',
    '',
    '| area | self % |',
    '| --- | --- |',
    ...summary.areas.slice(0, 15).map((row) => `| ${row.area} | ${row.percent} |`),
    '',
    '## Top functions by self time',
    '',
    '| function | where | self % |',
    '| --- | --- | --- |',
    ...summary.functions.map((row) => `| ${row.function} | ${row.where} | ${row.percent} |`),
    '',
  ].join('\n');
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL('profile-latest.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('profile-latest.md', resultsDir), md);
  console.log(md);
} finally {
  rmSync(root, { recursive: true, force: true });
}
