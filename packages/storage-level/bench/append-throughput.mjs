// Appends per second through openLevelStorage against a raw classic-level chained batch written with `{ sync: true }`
// of the same entries, in the same run, at batch sizes 1, 16 and 256 with 256-byte payloads.
//
// Run with `pnpm bench` from the repository root (turbo builds first), or `node bench/append-throughput.mjs`
// in this package after `pnpm build`. Prints a table and writes bench/results/latest.json.
//
// The machine this runs on is often shared, and its load drifts within seconds. So both stores stay
// open side by side and take turns in short slices (RAFT_BENCH_SLICE_MS, default 250), alternating who
// goes first, RAFT_BENCH_SLICES times (default 12) per batch size: both sides see the same conditions.
// The ratio is total appends over total time of each side; the median of the per-pair ratios is
// reported too, as a check that one noisy slice did not decide it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { DEFAULT_WRITE_BUFFER_BYTES, openLevelStorage } from '../dist/index.js';

const BATCH_SIZES = [1, 16, 256];
const ENTRY_BYTES = 256;
const SLICE_MS = Number(process.env.RAFT_BENCH_SLICE_MS ?? 250);
const SLICES = Number(process.env.RAFT_BENCH_SLICES ?? 12);
const resultsFile = new URL('./results/latest.json', import.meta.url);

const payload = Uint8Array.from({ length: ENTRY_BYTES }, (_, i) => (i * 31 + 7) & 0xff);
const root = mkdtempSync(join(tmpdir(), 'raft-storage-level-bench-'));

/** The key the raw side writes an entry under: the same 9 bytes LevelStorage uses. */
function rawKey(index) {
  const key = new Uint8Array(9);
  key[0] = 0x02;
  new DataView(key.buffer).setUint32(5, index);
  return key;
}

/** A side of the comparison: writes batches of `batchSize` entries with consecutive indices. */
function side(batchSize, writeBatch) {
  let nextIndex = 1;
  let appends = 0;
  let elapsedMs = 0;
  return {
    /** Writes back to back for SLICE_MS; returns this slice's appends per second. */
    async slice() {
      const started = performance.now();
      const firstIndex = nextIndex;
      let elapsed = 0;
      while (elapsed < SLICE_MS) {
        await writeBatch(nextIndex);
        nextIndex += batchSize;
        elapsed = performance.now() - started;
      }
      appends += nextIndex - firstIndex;
      elapsedMs += elapsed;
      return ((nextIndex - firstIndex) / elapsed) * 1000;
    },
    get appendsPerSecond() {
      return (appends / elapsedMs) * 1000;
    },
  };
}

async function compare(batchSize, run) {
  // The same LevelDB settings as the store's, so the ratio is what our layer costs.
  const db = new ClassicLevel(join(root, `raw-${run}`), {
    keyEncoding: 'view',
    valueEncoding: 'view',
    writeBufferSize: DEFAULT_WRITE_BUFFER_BYTES,
  });
  await db.open();
  const storage = await openLevelStorage({ directory: join(root, `storage-${run}`) });
  try {
    // The fastest raw form: a chained batch (the array form costs about twice the CPU per operation).
    const raw = side(batchSize, (first) => {
      const batch = db.batch();
      for (let i = 0; i < batchSize; i++) batch.put(rawKey(first + i), payload);
      return batch.write({ sync: true });
    });
    const ours = side(batchSize, (first) => {
      const entries = [];
      for (let i = 0; i < batchSize; i++)
        entries.push({ index: first + i, term: 1, type: 'normal', data: payload });
      return storage.persist({ entries });
    });
    const pairRatios = [];
    for (let slice = 0; slice < SLICES; slice++) {
      let rawRate;
      let oursRate;
      if (slice % 2 === 0) {
        rawRate = await raw.slice();
        oursRate = await ours.slice();
      } else {
        oursRate = await ours.slice();
        rawRate = await raw.slice();
      }
      pairRatios.push(oursRate / rawRate);
    }
    const ratio = ours.appendsPerSecond / raw.appendsPerSecond;
    return {
      batchSize,
      rawAppendsPerSecond: Math.round(raw.appendsPerSecond),
      storageAppendsPerSecond: Math.round(ours.appendsPerSecond),
      ratio: Number(ratio.toFixed(3)),
      overheadPercent: Number(((1 - ratio) * 100).toFixed(1)),
      medianPairRatio: Number(median(pairRatios).toFixed(3)),
    };
  } finally {
    await storage.close();
    await db.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const results = [];
try {
  for (const [run, batchSize] of BATCH_SIZES.entries()) results.push(await compare(batchSize, run));
} finally {
  rmSync(root, { recursive: true, force: true });
}

console.log(
  `LevelStorage vs a raw classic-level chained batch, write({ sync: true }), ${ENTRY_BYTES}-byte entries`,
);
console.log(`${SLICES} alternating slices of ${SLICE_MS} ms per side and batch size\n`);
console.log('batch | raw appends/s | LevelStorage appends/s | ratio | overhead | median pair ratio');
console.log('----- | ------------- | ---------------------- | ----- | -------- | -----------------');
for (const row of results) {
  console.log(
    `${String(row.batchSize).padStart(5)} | ${String(row.rawAppendsPerSecond).padStart(13)} | ` +
      `${String(row.storageAppendsPerSecond).padStart(22)} | ${row.ratio.toFixed(3)} | ${`${row.overheadPercent}%`.padStart(8)} | ${row.medianPairRatio.toFixed(3)}`,
  );
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const report = {
  benchmark: 'storage-level append throughput',
  baseline:
    'classic-level chained batch of puts, write({ sync: true }), same entries (9-byte key, 256-byte value)',
  measured: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  entryBytes: ENTRY_BYTES,
  sliceMs: SLICE_MS,
  slices: SLICES,
  results,
};
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten to bench/results/latest.json`);
