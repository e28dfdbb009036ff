// Transport benchmark: messages/s, bytes/s and round-trip p50/p99 between two processes on loopback,
// each as a ratio to raw `ws` measured in the same run with the same bytes and the same flow control.
// Run with `pnpm bench` (builds first). Writes bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessages } from '@raft/core';
import { WebSocket } from 'ws';
import { webSocketTransport } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ACK_EVERY = 250;
const WINDOW = 4 * ACK_EVERY; // at most this many messages unacknowledged, on both stacks
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 3_000);
const SCENARIOS = [
  {
    name: 'AppendEntries, 1 entry of 64 B',
    entryBytes: 64,
    messages: Number(process.env.BENCH_SMALL ?? 100_000),
  },
  {
    name: 'AppendEntries, 1 entry of 4 KiB',
    entryBytes: 4096,
    messages: Number(process.env.BENCH_LARGE ?? 20_000),
  },
];

const appendEntries = (entryBytes, index) => ({
  type: 'AppendEntries',
  from: 'a',
  to: 'b',
  term: 1,
  prevLogIndex: index,
  prevLogTerm: 1,
  leaderCommit: index,
  entries: [{ index: index + 1, term: 1, type: 'normal', data: new Uint8Array(entryBytes).fill(7) }],
});

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const peer = fork(join(here, 'peer.mjs'), { env: { ...process.env, ACK_EVERY: String(ACK_EVERY) } });
const ready = await new Promise((resolve) => peer.once('message', resolve));

// ---- raw ws baseline ----
const raw = new WebSocket(`ws://127.0.0.1:${ready.rawPort}`, { perMessageDeflate: false });
await new Promise((resolve) => raw.once('open', resolve));
let rawListener = () => {};
raw.on('message', (data, isBinary) => rawListener(data, isBinary));

async function rawThroughput(frame, count) {
  raw.send('count');
  let acked = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < count && sent - acked < WINDOW) {
        raw.send(frame);
        sent++;
      }
    };
    rawListener = (data) => {
      acked = Number(String(data)) - rawBase;
      if (acked >= count) resolve();
      else pump();
    };
    pump();
  });
  rawBase += count;
  return performance.now() - started;
}
let rawBase = 0;

async function rawRoundTrips(frame, count) {
  raw.send('echo');
  const samples = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise((resolve) => {
      rawListener = resolve;
      raw.send(frame);
    });
    samples.push(performance.now() - started);
  }
  raw.send('count');
  return samples;
}

// ---- the transport ----
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let transportListener = () => {};
const a = webSocketTransport(
  {
    id: 'a',
    listen: { host: '127.0.0.1', port: 0 },
    clusterId: 'bench',
    secret: 'bench secret',
    peers: { b: `ws://127.0.0.1:${ready.transportPort}` },
  },
  { logger: silent },
);
await a.start((message) => transportListener(message));
peer.send({ type: 'peers', url: `ws://127.0.0.1:${a.address().port}` });
let transportBase = 0;

async function transportThroughput(entryBytes, count) {
  let acked = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < count && sent - acked < WINDOW) {
        a.send([appendEntries(entryBytes, transportBase + sent)]);
        sent++;
      }
    };
    transportListener = (message) => {
      if (message.type !== 'HeartbeatResponse' || message.term !== 1) return;
      acked = message.readSeq - transportBase;
      if (acked >= count) resolve();
      else pump();
    };
    pump();
  });
  transportBase += count;
  return performance.now() - started;
}

async function transportRoundTrips(count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise((resolve) => {
      transportListener = (message) => {
        if (message.type === 'HeartbeatResponse' && message.term === 2 && message.readSeq === i) resolve();
      };
      a.send([{ type: 'Heartbeat', from: 'a', to: 'b', term: 1, commit: 0, readSeq: i }]);
    });
    samples.push(performance.now() - started);
  }
  return samples;
}

// Warm up both stacks (JIT, connections) before measuring.
await transportRoundTrips(200);
await rawRoundTrips(encodeMessages([appendEntries(64, 0)]), 200);
await transportThroughput(64, 5 * ACK_EVERY);
await rawThroughput(encodeMessages([appendEntries(64, 0)]), 5 * ACK_EVERY);

const results = [];
for (const scenario of SCENARIOS) {
  const frame = encodeMessages([appendEntries(scenario.entryBytes, 0)]);
  const rawMs = await rawThroughput(frame, scenario.messages);
  const transportMs = await transportThroughput(scenario.entryBytes, scenario.messages);
  const rawRate = scenario.messages / (rawMs / 1000);
  const transportRate = scenario.messages / (transportMs / 1000);
  results.push({
    scenario: scenario.name,
    messages: scenario.messages,
    frameBytes: frame.length,
    raw: { messagesPerSecond: Math.round(rawRate), bytesPerSecond: Math.round(rawRate * frame.length) },
    transport: {
      messagesPerSecond: Math.round(transportRate),
      bytesPerSecond: Math.round(transportRate * frame.length),
    },
    ratio: Number((transportRate / rawRate).toFixed(3)),
  });
}

const probe = encodeMessages([{ type: 'Heartbeat', from: 'a', to: 'b', term: 1, commit: 0, readSeq: 1 }]);
const rawRtt = (await rawRoundTrips(probe, ROUND_TRIPS)).sort((x, y) => x - y);
const transportRtt = (await transportRoundTrips(ROUND_TRIPS)).sort((x, y) => x - y);
const rtt = {
  roundTrips: ROUND_TRIPS,
  raw: { p50Ms: percentile(rawRtt, 50), p99Ms: percentile(rawRtt, 99) },
  transport: { p50Ms: percentile(transportRtt, 50), p99Ms: percentile(transportRtt, 99) },
};
rtt.ratio = {
  p50: Number((rtt.transport.p50Ms / rtt.raw.p50Ms).toFixed(3)),
  p99: Number((rtt.transport.p99Ms / rtt.raw.p99Ms).toFixed(3)),
};
const drops = a.stats().dropped;

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
console.log('\n@raft/transport-ws vs raw ws ping-pong, two processes on loopback (same run)\n');
console.table(
  results.map((row) => ({
    scenario: row.scenario,
    'raw msg/s': row.raw.messagesPerSecond,
    'ws-transport msg/s': row.transport.messagesPerSecond,
    'raw MiB/s': mb(row.raw.bytesPerSecond),
    'ws-transport MiB/s': mb(row.transport.bytesPerSecond),
    ratio: row.ratio,
  })),
);
console.table({
  'raw ws': { 'p50 ms': rtt.raw.p50Ms.toFixed(3), 'p99 ms': rtt.raw.p99Ms.toFixed(3) },
  'ws-transport': { 'p50 ms': rtt.transport.p50Ms.toFixed(3), 'p99 ms': rtt.transport.p99Ms.toFixed(3) },
  'ratio (transport / raw)': { 'p50 ms': rtt.ratio.p50, 'p99 ms': rtt.ratio.p99 },
});

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage: loadavg(),
  window: WINDOW,
  throughput: results,
  roundTrip: rtt,
  transportDrops: drops,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`written ${join('bench', 'results', 'latest.json')}`);

raw.close();
await a.stop();
peer.send({ type: 'stop' });
