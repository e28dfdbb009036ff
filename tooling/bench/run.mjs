// The benchmark suite of the Raft toolkit: `pnpm bench` from the repository root (builds first), or
// `node tooling/bench/run.mjs [--quick] [--only core,storage,transport,e2e]` after a build.
// Each benchmark measures against a baseline in the same run; see README.md. Writes results/latest.json,
// results/latest.md and a timestamped copy of both.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { coreBench } from './lib/core-bench.mjs';
import { e2eBench, targets } from './lib/e2e-bench.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { storageBench } from './lib/storage-bench.mjs';
import { transportBench } from './lib/transport-bench.mjs';

const BENCHMARKS = { core: coreBench, storage: storageBench, transport: transportBench, e2e: e2eBench };
const USAGE = `usage: node tooling/bench/run.mjs [--quick] [--only ${Object.keys(BENCHMARKS).join(',')}]`;

let options;
try {
  options = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const selected = options.only ? options.only.split(',').map((name) => name.trim()) : Object.keys(BENCHMARKS);
const unknown = selected.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}

const loadAverage = () => {
  const [oneMinute, fiveMinutes, fifteenMinutes] = loadavg();
  return { oneMinute, fiveMinutes, fifteenMinutes };
};
const startedAt = new Date();
const started = performance.now();
const log = (message) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const run = {
  started: startedAt.toISOString(),
  quick: options.quick,
  // Strings and objects rather than short arrays keep the JSON as Biome formats it.
  only: selected.join(','),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageBefore: loadAverage(),
  },
  results: {},
};
let failed = false;
for (const name of selected) {
  log(`${name}: starting`);
  try {
    run.results[name] = await BENCHMARKS[name]({ quick: options.quick, log });
  } catch (error) {
    failed = true;
    log(`${name} failed: ${error.stack ?? error}`);
    run.results[name] = { error: String(error.message ?? error) };
  }
}
if (run.results.e2e?.workloads && run.results.e2e.etcd) run.targets = targets(run.results.e2e);
run.machine.loadAverageAfter = loadAverage();
run.durationSeconds = Math.round((performance.now() - started) / 1000);

const json = `${JSON.stringify(run, null, 2)}\n`;
const markdown = renderMarkdown(run);
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const stamp = `${run.started.replace(/[:.]/g, '-')}${options.quick ? '-quick' : ''}`;
for (const base of ['latest', stamp]) {
  writeFileSync(new URL(`${base}.json`, resultsDir), json);
  writeFileSync(new URL(`${base}.md`, resultsDir), markdown);
}
console.log(`\n${markdown}`);
log(`written tooling/bench/results/latest.{json,md} and ${stamp}.{json,md}`);
process.exitCode = failed ? 1 : 0;
