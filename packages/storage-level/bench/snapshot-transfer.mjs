// Streams a 100 MB snapshot from a leader to a follower, both RaftNodes on LevelStorage, and measures
// the process's peak memory growth during the transfer, as a multiple of chunkBytes x windowChunks
// (the transfer's flow-control window), and the transfer's throughput against a raw classic-level
// write of the same bytes in the same run.
//
// Run with `pnpm bench` from the repository root (turbo builds first), or
// `node --expose-gc bench/snapshot-transfer.mjs` in this package after `pnpm build`.
// RAFT_BENCH_SNAPSHOT_MB (default 100) changes the size. Writes bench/results/snapshot-transfer.json.
//
// Setup: a and c run on LevelStorage with snapshots on; b (memory storage, snapshots off) only makes
// a quorum with a, so a can commit while c is cut off. The state machine's state is synthetic: its
// snapshot is SIZE bytes generated on the fly from a small header, and restore verifies every byte
// without keeping them, so what is measured is the storage and transfer pipeline, not the app's state.
// Memory is sampled every 2 ms (rss, heapUsed, arrayBuffers) from the heal until c reports
// `snapshot-installed`, relative to a baseline taken after a forced GC just before the heal.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';
import { ClassicLevel } from 'classic-level';
import { openLevelStorage } from '../dist/index.js';

const MB = 1024 * 1024;
const SIZE = Number(process.env.RAFT_BENCH_SNAPSHOT_MB ?? 100) * MB;
const CHUNK_BYTES = 256 * 1024;
const WINDOW_CHUNKS = 4;
const PIECE = 64 * 1024;
const resultsFile = new URL('./results/snapshot-transfer.json', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'raft-storage-level-snapshot-bench-'));
const gc = globalThis.gc ?? (() => {});

/** Byte `i` of the synthetic state whose header seed is `seed`. */
const byteAt = (seed, i) => (Math.imul(i ^ seed, 2654435761) >>> 24) & 0xff;

/** A state machine whose state is SIZE bytes derived from the applied entries' count. */
function syntheticState() {
  let applied = 0;
  let restored = 0;
  return {
    get applied() {
      return applied;
    },
    get restored() {
      return restored;
    },
    apply(entries) {
      applied += entries.length;
      return entries.map((entry) => entry.index);
    },
    async *snapshot() {
      const seed = applied;
      for (let at = 0; at < SIZE; at += PIECE) {
        const piece = new Uint8Array(Math.min(PIECE, SIZE - at));
        if (at === 0) new DataView(piece.buffer).setUint32(0, seed);
        for (let i = at === 0 ? 4096 : 0; i < piece.length; i += 4096) piece[i] = byteAt(seed, at + i);
        yield piece;
      }
    },
    async restore(chunks) {
      let seed;
      let at = 0;
      for await (const chunk of chunks) {
        if (at === 0) seed = new DataView(chunk.buffer, chunk.byteOffset).getUint32(0);
        for (let i = 0; i < chunk.length; i++) {
          const position = at + i;
          if (position >= 4 && position % 4096 === 0 && chunk[i] !== byteAt(seed, position)) {
            throw new Error(`restored byte ${position} differs`);
          }
        }
        at += chunk.length;
      }
      if (at !== SIZE) throw new Error(`restored ${at} bytes, expected ${SIZE}`);
      applied = seed;
      restored = at;
    },
  };
}

async function waitUntil(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * One transfer. `liveOnly`: sample right after a forced GC every 20 ms (memory actually held, not
 * garbage awaiting collection; slows the transfer, so its time is not reported); otherwise sample
 * every 2 ms without GC (peaks include garbage) and time the transfer.
 */
async function transfer(run, liveOnly) {
  const network = memoryNetwork();
  const members = ['a', 'b', 'c'];
  const events = { a: [], b: [], c: [] };
  const storages = {
    a: await openLevelStorage({ directory: join(root, `${run}-a`) }),
    b: memoryStorage(),
    c: await openLevelStorage({ directory: join(root, `${run}-c`) }),
  };
  const states = { a: syntheticState(), b: syntheticState(), c: syntheticState() };
  const snapshot = { everyEntries: 10, keepEntries: 0, chunkBytes: CHUNK_BYTES, windowChunks: WINDOW_CHUNKS };
  const nodes = Object.fromEntries(
    members.map((id) => [
      id,
      createRaftNode({
        id,
        storage: storages[id],
        transport: network.transport(id),
        stateMachine: states[id],
        tickMs: 10,
        initialMembers: members,
        snapshot: id === 'b' ? false : snapshot,
        requestTimeoutMs: 120_000,
        // b must not lead: a is the one with the snapshot to send.
        raft: id === 'b' ? { electionTicks: 200 } : {},
        observer: (event) => {
          if (event.type.startsWith('snapshot')) events[id].push({ ...event, at: performance.now() });
        },
      }),
    ]),
  );
  try {
    network.isolate('c');
    await Promise.all(Object.values(nodes).map((node) => node.start()));
    nodes.a.campaign();
    await waitUntil(() => nodes.a.status().role === 'leader', 10_000, 'a to lead');
    const writes = [];
    for (let i = 0; i < 12; i++) writes.push(nodes.a.propose(Uint8Array.of(i + 1)));
    await Promise.all(writes);
    await waitUntil(
      () => events.a.some((event) => event.type === 'snapshot-created'),
      300_000,
      'the snapshot',
    );
    await waitUntil(
      () => nodes.a.inspect().firstIndex > nodes.c.status().lastIndex + 1,
      10_000,
      'a to compact past c',
    );

    gc();
    gc();
    const baseline = process.memoryUsage();
    const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed, arrayBuffers: baseline.arrayBuffers };
    const sampler = setInterval(
      () => {
        if (liveOnly) gc();
        const now = process.memoryUsage();
        for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
      },
      liveOnly ? 20 : 2,
    );
    const healedAt = performance.now();
    network.heal();
    await waitUntil(
      () => events.c.some((event) => event.type === 'snapshot-installed'),
      600_000,
      'the install',
    );
    clearInterval(sampler);
    const installed = events.c.find((event) => event.type === 'snapshot-installed');
    if (states.c.restored !== SIZE) throw new Error('c did not restore the whole snapshot');
    const seconds = (installed.at - healedAt) / 1000;
    const window = CHUNK_BYTES * WINDOW_CHUNKS;
    const growth = Object.fromEntries(
      Object.entries(peak).map(([key, value]) => [key, value - baseline[key]]),
    );
    return {
      snapshotBytes: SIZE,
      chunkBytes: CHUNK_BYTES,
      windowChunks: WINDOW_CHUNKS,
      transferSeconds: Number(seconds.toFixed(2)),
      transferMBps: Number((SIZE / MB / seconds).toFixed(1)),
      installAndRestoreMs: Math.round(installed.durationMs),
      peakGrowthBytes: growth,
      peakGrowthInWindows: Object.fromEntries(
        Object.entries(growth).map(([key, value]) => [key, Number((value / window).toFixed(2))]),
      ),
    };
  } finally {
    await Promise.all(Object.values(nodes).map((node) => node.stop()));
    await Promise.all(Object.values(storages).map((storage) => storage.close()));
  }
}

/** The same bytes written straight to classic-level in chunks of CHUNK_BYTES, each put synced. */
async function rawWrite() {
  const db = new ClassicLevel(join(root, 'raw'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const chunk = new Uint8Array(CHUNK_BYTES).map((_, i) => i & 0xff);
  const started = performance.now();
  try {
    for (let at = 0, n = 0; at < SIZE; at += CHUNK_BYTES, n++) {
      const key = new Uint8Array(17);
      key[0] = 4;
      new DataView(key.buffer).setUint32(13, n);
      await db.put(key, chunk.subarray(0, Math.min(CHUNK_BYTES, SIZE - at)), { sync: true });
    }
  } finally {
    await db.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds: Number(seconds.toFixed(2)), MBps: Number((SIZE / MB / seconds).toFixed(1)) };
}

let result;
try {
  const raw = await rawWrite();
  const measured = await transfer('timed', false);
  const live = globalThis.gc === undefined ? undefined : await transfer('live', true);
  result = {
    ...measured,
    rawSyncedWriteMBps: raw.MBps,
    ratioToRawWrite: Number((measured.transferMBps / raw.MBps).toFixed(3)),
    livePeakGrowthBytes: live?.peakGrowthBytes,
    livePeakGrowthInWindows: live?.peakGrowthInWindows,
  };
} finally {
  rmSync(root, { recursive: true, force: true });
}

const report = {
  benchmark: 'storage-level snapshot transfer (leader to follower, both on LevelStorage)',
  baseline: 'classic-level put of the same bytes in chunkBytes pieces, each with sync: true',
  measured: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  gcForced: globalThis.gc !== undefined,
  ...result,
};
console.log(JSON.stringify(report, null, 2));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
console.log('written to bench/results/snapshot-transfer.json');
