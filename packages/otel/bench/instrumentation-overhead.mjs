// Cost of instrumentation on an in-process 3-node cluster (memory network and storage, no real disk or
// network: the worst case, where Raft itself costs the least). Modes run in the same invocation,
// interleaved round by round, each round in a fresh process; reports median throughput and CPU time
// per proposal, and each mode's ratio to "off".
//
//   pnpm --filter @raft/otel bench            (after a build)
//   ROUNDS=7 PROPOSALS=30000 WARMUP=10000 CONCURRENCY=64 node bench/instrumentation-overhead.mjs
//   MODES=off,metrics node bench/instrumentation-overhead.mjs     (a subset; "off" is always run)

import { fileURLToPath } from 'node:url';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';
import { raftInstrumentation } from '../dist/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PROPOSALS = Number(process.env.PROPOSALS ?? 30_000);
const WARMUP = Number(process.env.WARMUP ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const IDS = ['a', 'b', 'c'];
const payload = new Uint8Array(64).fill(7);
/** Written by the "retaining observer" mode so that its events escape (see MODES). */
export let retained;

class ManualReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

/** Drops every span at export: measures the instrumentation and the SDK's span bookkeeping, not an exporter. */
class DiscardingExporter extends InMemorySpanExporter {
  export(_spans, done) {
    done({ code: 0 });
  }
}

/** Each mode builds per-round providers (or none) and says how to make one node's observer. */
const MODES = {
  off: () => ({ observer: () => undefined, close: async () => {} }),
  // Core's share: every event built and delivered, nothing done with it. An empty function lets the
  // JIT inline it and skip building the events altogether, so this is a lower bound...
  'no-op observer': () => ({ observer: () => () => {}, close: async () => {} }),
  // ... and an observer that keeps a reference to each event is the upper bound: every event object
  // is allocated, as for any observer that reads them.
  'retaining observer': () => ({
    observer: () => (event) => {
      retained = event;
    },
    close: async () => {},
  }),
  // What a user gets with a metrics SDK and no tracing SDK (the global tracer is a no-op).
  metrics: () => {
    const reader = new ManualReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    return {
      observer: (id) => raftInstrumentation({ nodeId: id, meterProvider }).observer,
      close: async () => {
        await reader.collect(); // a real reader collects now and then; make sure that path runs too
        await meterProvider.shutdown();
      },
    };
  },
  // The usual deployment, one node per process: each node has its own MeterProvider (its Resource
  // would say which node it is), so points need no raft.node.id and histogram records hash nothing.
  'metrics, per-node provider': () => {
    const readers = [];
    return {
      observer: (id) => {
        const reader = new ManualReader();
        readers.push(reader);
        const meterProvider = new MeterProvider({ readers: [reader] });
        return raftInstrumentation({ nodeId: id, meterProvider, nodeIdOnMetrics: false }).observer;
      },
      close: async () => {
        for (const reader of readers) await reader.collect();
      },
    };
  },
  // Both SDKs with an AlwaysOn sampler, at the default sampleRatio (1% of root spans) and at 100%.
  'metrics+traces 1%': () => tracedMode(undefined),
  'metrics+traces 100%': () => tracedMode(1),
  // The same at 1%, with trace context carried through replication (traceContext): 1% of proposals
  // get a context, and every node records raft.entry.* spans for them.
  'metrics+traces 1% propagated': () => tracedMode(undefined, true),
};

function tracedMode(sampleRatio, propagate = false) {
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracerProvider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new DiscardingExporter() })],
  });
  const instrumentations = new Map();
  const instrumentation = (id) => {
    if (!instrumentations.has(id)) {
      const options = { nodeId: id, meterProvider, tracerProvider };
      if (sampleRatio !== undefined) options.sampleRatio = sampleRatio;
      instrumentations.set(id, raftInstrumentation(options));
    }
    return instrumentations.get(id);
  };
  return {
    observer: (id) => instrumentation(id).observer,
    ...(propagate ? { traceContext: (id) => instrumentation(id).traceContext } : {}),
    close: async () => {
      await reader.collect();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

const stateMachine = () => ({ apply: (entries) => entries.map((entry) => entry.index) });

async function startCluster(observerFor, traceContextFor) {
  const network = memoryNetwork();
  const nodes = IDS.map((id) => {
    const observer = observerFor(id);
    const traceContext = traceContextFor?.(id);
    return createRaftNode({
      id,
      storage: memoryStorage(),
      transport: network.transport(id),
      stateMachine: stateMachine(),
      initialMembers: IDS,
      tickMs: 50,
      ...(observer === undefined ? {} : { observer }),
      ...(traceContext === undefined ? {} : { traceContext }),
    });
  });
  await Promise.all(nodes.map((node) => node.start()));
  const leader = nodes[0];
  leader.campaign();
  const deadline = Date.now() + 5_000;
  while (leader.status().role !== 'leader') {
    if (Date.now() > deadline) throw new Error('no leader within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { leader, stop: () => Promise.all(nodes.map((node) => node.stop())) };
}

/** Closed loop: CONCURRENCY callers, each proposing again as soon as its last proposal applied. */
async function drive(leader, count) {
  let next = 0;
  const caller = async () => {
    while (next < count) {
      next++;
      await leader.propose(payload);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
}

async function round(modeName) {
  const mode = MODES[modeName]();
  const cluster = await startCluster(mode.observer, mode.traceContext);
  try {
    await drive(cluster.leader, WARMUP);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await drive(cluster.leader, PROPOSALS);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      opsPerSecond: PROPOSALS / ((performance.now() - started) / 1000),
      cpuMicrosPerOp: (cpu.user + cpu.system) / PROPOSALS,
    };
  } finally {
    await cluster.stop();
    await mode.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
};

// Each round runs in a fresh child process, so one mode's JIT state and garbage cannot slow the next;
// the parent interleaves the modes round by round and compares them.
const childMode = process.argv[2];
if (childMode !== undefined) {
  process.stdout.write(`${JSON.stringify(await round(childMode))}\n`);
} else {
  const { execFileSync } = await import('node:child_process');
  const script = fileURLToPath(import.meta.url);
  const selected = process.env.MODES?.split(',').map((name) => name.trim()) ?? Object.keys(MODES);
  for (const name of selected) if (!(name in MODES)) throw new Error(`unknown mode ${name}`);
  const names = ['off', ...selected.filter((name) => name !== 'off')];
  const results = Object.fromEntries(names.map((name) => [name, []]));
  console.log(
    `instrumentation overhead: 3 in-process nodes, ${PROPOSALS} proposals of ${payload.length} B per round ` +
      `after ${WARMUP} warm-up ones, ${CONCURRENCY} concurrent callers, ${ROUNDS} interleaved rounds, ` +
      `one process per round (node ${process.version})`,
  );
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const output = execFileSync(process.execPath, [script, name], { encoding: 'utf8' });
      results[name].push(JSON.parse(output));
    }
  }
  // Wall-clock throughput suffers from whatever else the machine runs; CPU time per proposal (this
  // process: one JS thread plus the GC's helpers) is the steadier measure of what instrumentation adds.
  // Ratios are paired: each round's mode against the same round's "off" (run moments apart), and the
  // median of those is reported with their spread, so a slow spell on the machine cancels out.
  const paired = (values, key) => values.map((r, round) => r[key] / results.off[round][key]);
  const range = (ratios) => `${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}`;
  console.log(
    `${'mode'.padEnd(27)} ${'ops/s'.padStart(7)}  throughput ratio (spread)    CPU us/op  CPU cost (spread)`,
  );
  for (const [name, values] of Object.entries(results)) {
    const ops = median(values.map((r) => r.opsPerSecond));
    const cpu = median(values.map((r) => r.cpuMicrosPerOp));
    const opsRatios = paired(values, 'opsPerSecond');
    const cpuRatios = paired(values, 'cpuMicrosPerOp');
    const cpuCost = (median(cpuRatios) - 1) * 100;
    console.log(
      `${name.padEnd(27)} ${ops.toFixed(0).padStart(7)}  ${median(opsRatios).toFixed(3)} (${range(opsRatios)})` +
        `   ${cpu.toFixed(2).padStart(9)}  ${cpuCost.toFixed(1).padStart(5)}% (${range(cpuRatios)})`,
    );
  }
}
