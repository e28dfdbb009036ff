// The instrumentation's own CPU cost per proposal, without the cluster around it: records the events
// of a 3-node in-process cluster (CALLERS concurrent callers, default 64; 64-byte entries) once, then replays them into
// each node's observer many times and reports the best time per proposal. On a shared machine this is
// far steadier than the end-to-end bench (instrumentation-overhead.mjs), which remains the measure of
// record; this one tells which part of the instrumentation costs what.
//
//   pnpm --filter @raft/otel exec node bench/observer-replay.mjs      (after a build)

import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';
import { raftInstrumentation } from '../dist/index.js';

const IDS = ['a', 'b', 'c'];
const RECORDED = Number(process.env.PROPOSALS ?? 500); // small enough to stay in cache, like live events
const REPEAT = 40;
const ROUNDS = 25;
const CALLERS = Number(process.env.CALLERS ?? 64);

class ManualReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

async function recordEvents() {
  const events = new Map(IDS.map((id) => [id, []]));
  let recording = false;
  const network = memoryNetwork();
  const nodes = IDS.map((id) =>
    createRaftNode({
      id,
      storage: memoryStorage(),
      transport: network.transport(id),
      stateMachine: { apply: (entries) => entries.map((entry) => entry.index) },
      initialMembers: IDS,
      tickMs: 50,
      observer: (event) => {
        if (recording) events.get(id).push(event);
      },
    }),
  );
  await Promise.all(nodes.map((node) => node.start()));
  const leader = nodes[0];
  leader.campaign();
  while (leader.status().role !== 'leader') await new Promise((resolve) => setTimeout(resolve, 5));
  const payload = new Uint8Array(64);
  const drive = async (count) => {
    let next = 0;
    const caller = async () => {
      while (next < count) {
        next++;
        await leader.propose(payload);
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
  };
  await drive(5_000); // steady state: batches as large as they get
  recording = true;
  await drive(RECORDED);
  recording = false;
  await Promise.all(nodes.map((node) => node.stop()));
  return events;
}

const events = await recordEvents();
const perNode = (make) => new Map(IDS.map((id) => [id, make(id)]));
const sdk = () => new MeterProvider({ readers: [new ManualReader()] });
const VARIANTS = {
  'no-op observer': perNode(() => () => {}),
  'defaults (metrics, sampleRatio 0.01, no tracing SDK)': perNode(
    (id) => raftInstrumentation({ nodeId: id, meterProvider: sdk() }).observer,
  ),
  // The replayed events repeat the same timestamps, so the defaults' rate cap sees one busy window and
  // records little after it; this row shows the cost with every applied proposal timed.
  'every proposal timed (proposalDurationMaxPerSecond Infinity)': perNode(
    (id) =>
      raftInstrumentation({
        nodeId: id,
        meterProvider: sdk(),
        proposalDurationMaxPerSecond: Number.POSITIVE_INFINITY,
      }).observer,
  ),
  'sampleRatio 0 (no AppendEntries span handling)': perNode(
    (id) => raftInstrumentation({ nodeId: id, meterProvider: sdk(), sampleRatio: 0 }).observer,
  ),
  'one MeterProvider per node, nodeIdOnMetrics false': perNode(
    (id) => raftInstrumentation({ nodeId: id, meterProvider: sdk(), nodeIdOnMetrics: false }).observer,
  ),
  'MeterProvider without readers (no SDK aggregation)': perNode(
    (id) => raftInstrumentation({ nodeId: id, meterProvider: new MeterProvider({ readers: [] }) }).observer,
  ),
};

function replay(observers) {
  const started = performance.now();
  for (const id of IDS) {
    const observer = observers.get(id);
    const list = events.get(id);
    for (let repeat = 0; repeat < REPEAT; repeat++) {
      for (let i = 0; i < list.length; i++) observer(list[i]);
    }
  }
  return ((performance.now() - started) * 1000) / RECORDED / REPEAT;
}

const best = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, Number.POSITIVE_INFINITY]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, observers] of Object.entries(VARIANTS)) {
    const micros = replay(observers);
    if (round >= 3) best[name] = Math.min(best[name], micros); // the first rounds warm the JIT up
  }
}
const eventsPerProposal = IDS.reduce((total, id) => total + events.get(id).length, 0) / RECORDED;
console.log(
  `observer replay: ${RECORDED} proposals of a 3-node cluster (${eventsPerProposal.toFixed(1)} events per proposal ` +
    `over the three nodes), replayed ${REPEAT}x per round, best of ${ROUNDS - 3} rounds (node ${process.version})`,
);
for (const [name, micros] of Object.entries(best)) {
  console.log(`${name.padEnd(54)} ${micros.toFixed(3)} us per proposal (all three nodes)`);
}
