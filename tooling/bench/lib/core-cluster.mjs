// The in-process cluster the core benchmark measures: createRaftNode with memory storage and network, a
// counting state machine, snapshots so the logs stay bounded, and a driver that keeps a fixed number of
// proposals in flight on the leader. Shared by core-round.mjs and core-instrumentation-round.mjs.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createRaftNode, memoryNetwork, memoryStorage } from '../../../packages/core/dist/index.js';

const ELECTION_DEADLINE_MS = 10_000;

/** A state machine that counts, with a tiny snapshot so the log is compacted as in a real server. */
function countingStateMachine() {
  let applied = 0;
  return {
    apply(entries) {
      applied += entries.length;
      return entries.map((entry) => entry.index);
    },
    async *snapshot() {
      yield new TextEncoder().encode(String(applied));
    },
    async restore(chunks) {
      let text = '';
      for await (const chunk of chunks) text += new TextDecoder().decode(chunk);
      applied = Number(text);
    },
  };
}

/**
 * Starts `voters` nodes on their own memory network (ids `${prefix}1`, ...), elects the first and
 * resolves with it. `observerFor(id)` gives a node its observer, or undefined for none.
 */
export async function startCluster({ voters, prefix = 'n', observerFor = () => undefined }) {
  const ids = Array.from({ length: voters }, (_, i) => `${prefix}${i + 1}`);
  const network = memoryNetwork();
  const nodes = ids.map((id) => {
    const observer = observerFor(id);
    return createRaftNode({
      id,
      storage: memoryStorage(),
      transport: network.transport(id),
      stateMachine: countingStateMachine(),
      initialMembers: ids,
      // Without compaction a few seconds of 1 KiB entries on three in-memory logs would need gigabytes.
      snapshot: { everyEntries: 20_000, keepEntries: 1_000 },
      ...(observer === undefined ? {} : { observer }),
    });
  });
  await Promise.all(nodes.map((node) => node.start()));
  const leader = nodes[0];
  leader.campaign();
  const electedBy = performance.now() + ELECTION_DEADLINE_MS;
  while (leader.status().role !== 'leader') {
    if (performance.now() > electedBy) throw new Error(`no leader within ${ELECTION_DEADLINE_MS} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { leader, stop: () => Promise.all(nodes.map((node) => node.stop())) };
}

/** Keeps `inFlight` proposals of `payload` outstanding on `leader` until `until`; resolves with how many committed. */
export function drive(leader, payload, inFlight, until) {
  return new Promise((resolve, reject) => {
    let committed = 0;
    let outstanding = 0;
    const next = () => {
      outstanding--;
      committed++;
      if (performance.now() < until) propose();
      else if (outstanding === 0) resolve(committed);
    };
    const propose = () => {
      outstanding++;
      leader.propose(payload).then(next, reject);
    };
    for (let i = 0; i < inFlight; i++) propose();
  });
}

/** A payload of `bytes` bytes that is not all zeros. */
export const payloadOf = (bytes) => Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + 7) & 0xff);

/** Imports `name` as @raft/otel resolves it (the OpenTelemetry SDKs are its dev dependencies). */
const importFromOtel = (name) =>
  import(
    pathToFileURL(
      createRequire(new URL('../../../packages/otel/package.json', import.meta.url)).resolve(name),
    ).href
  );

/**
 * @raft/otel's metrics on one SDK MeterProvider with a reader, collected at the end as in a deployment.
 * Loaded only when asked: the SDK is otel's dev dependency. `observerFor(id)` gives each node its own
 * instrumentation (defaults: the node id on every point, since the nodes share the provider).
 */
export async function otelMetrics() {
  const sdk = await importFromOtel('@opentelemetry/sdk-metrics');
  const { raftInstrumentation } = await import('../../../packages/otel/dist/index.js');
  class ManualReader extends sdk.MetricReader {
    async onShutdown() {}
    async onForceFlush() {}
  }
  const reader = new ManualReader();
  const meterProvider = new sdk.MeterProvider({ readers: [reader] });
  return {
    observerFor: (id) => raftInstrumentation({ nodeId: id, meterProvider }).observer,
    collect: () => reader.collect(),
  };
}

/**
 * A tracing SDK registered as the global tracer provider, as an application that traces would have:
 * spans go through a SimpleSpanProcessor to an exporter that counts and drops them, so what is
 * measured is this package and the SDK, not an exporter. Returns the count of spans exported so far.
 */
export async function registerTracingSdk() {
  const sdk = await importFromOtel('@opentelemetry/sdk-trace');
  const api = await importFromOtel('@opentelemetry/api');
  let exported = 0;
  const exporter = {
    export(spans, done) {
      exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const provider = new sdk.TracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor({ exporter })] });
  if (!api.trace.setGlobalTracerProvider(provider))
    throw new Error('a global tracer provider was already set');
  return () => exported;
}
