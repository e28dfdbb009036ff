// Storage: LevelStorage appends per second at batch 1, 16 and 256 as a ratio to raw classic-level, by
// running @raft/storage-level's own benchmark (bench/append-throughput.mjs), which measures both sides
// in alternating slices in one process.
import { fileURLToPath } from 'node:url';
import { runPackageBench } from './package-bench.mjs';

const SCRIPT = fileURLToPath(
  new URL('../../../packages/storage-level/bench/append-throughput.mjs', import.meta.url),
);
const RESULTS = fileURLToPath(
  new URL('../../../packages/storage-level/bench/results/latest.json', import.meta.url),
);

/** Runs the storage benchmark; `quick` takes 4 slices per side and batch size instead of 12. */
export async function storageBench({ quick, log }) {
  const { report } = await runPackageBench(SCRIPT, RESULTS, { RAFT_BENCH_SLICES: quick ? '4' : '12' });
  for (const row of report.results) {
    log(
      `storage batch ${row.batchSize}: LevelStorage ${row.storageAppendsPerSecond}/s, raw ${row.rawAppendsPerSecond}/s, ratio ${row.ratio}`,
    );
  }
  return {
    description:
      'openLevelStorage persist() vs a raw classic-level chained batch of puts, write({ sync: true }), same entries',
    source: 'packages/storage-level/bench/append-throughput.mjs',
    baseline: report.baseline,
    entryBytes: report.entryBytes,
    slices: report.slices,
    sliceMs: report.sliceMs,
    results: report.results,
  };
}
