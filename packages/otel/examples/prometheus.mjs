// A 3-node cluster in one process, instrumented, with metrics served to Prometheus on
// http://127.0.0.1:9464/metrics. Run after a build: `node examples/prometheus.mjs` (add `--serve` to keep
// serving; without it the example scrapes itself once, prints the raft_ lines and exits).
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';
import { raftInstrumentation } from '../dist/index.js';

// The exporter is a metric reader that serves the scrape endpoint; loopback only.
const exporter = new PrometheusExporter({ host: '127.0.0.1', port: 9464 });
const meterProvider = new MeterProvider({ readers: [exporter] });

const ids = ['a', 'b', 'c'];
const network = memoryNetwork();
const instrumentations = ids.map((id) => raftInstrumentation({ nodeId: id, meterProvider }));
const nodes = ids.map((id, i) =>
  createRaftNode({
    id,
    storage: memoryStorage(),
    transport: network.transport(id),
    stateMachine: { apply: (entries) => entries.map((entry) => entry.index) },
    initialMembers: ids,
    tickMs: 20,
    observer: instrumentations[i].observer,
  }),
);
await Promise.all(nodes.map((node) => node.start()));
nodes[0].campaign();
while (nodes[0].status().role !== 'leader') await new Promise((resolve) => setTimeout(resolve, 10));

const encoder = new TextEncoder();
for (let i = 0; i < 100; i++) await nodes[0].propose(encoder.encode(`set k${i} ${i}`));
await nodes[0].read();
await new Promise((resolve) => setTimeout(resolve, 100)); // let a few ticks sample replication lag

if (process.argv.includes('--serve')) {
  console.log('serving http://127.0.0.1:9464/metrics (Ctrl-C to stop)');
} else {
  const text = await (await fetch('http://127.0.0.1:9464/metrics')).text();
  const wanted =
    /^raft_(term|role|elections_won|proposals_total|proposal_duration_count|replication_lag|messages_sent_total\{[^}]*AppendEntries")/;
  for (const line of text.split('\n')) if (wanted.test(line)) console.log(line);
  for (const instrumentation of instrumentations) instrumentation.shutdown();
  await Promise.all(nodes.map((node) => node.stop()));
  await meterProvider.shutdown();
}
