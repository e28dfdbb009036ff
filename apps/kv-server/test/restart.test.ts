import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessCluster } from '@raft/service';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { kvCluster } from './support/kv-process.js';

let root: string | undefined;
let cluster: ProcessCluster | undefined;

afterAll(async () => {
  await cluster?.stopAll();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

it('a restart of all nodes keeps every acknowledged write, and a retried write with the same Idempotency-Key is applied once', async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-restart-'));
  // Snapshots every 25 entries, so the restart recovers from a snapshot plus the log after it.
  cluster = await kvCluster(root, 3, ['--tick-ms', '50', '--election-ticks', '10', '--snapshot-every', '25']);
  const all = cluster.specs.map((spec) => spec.id);
  await cluster.startAll();
  await cluster.waitForLeader();

  const acknowledged = new Map<string, string>();
  for (let i = 0; i < 80; i++) {
    const key = `key-${i % 30}`;
    const value = `value-${i}`;
    const url = cluster.url(all[i % all.length]!);
    const response = await fetch(`${url}/kv/${key}`, { method: 'PUT', body: value });
    expect(response.status).toBe(200);
    acknowledged.set(key, value);
  }
  const idempotent = { method: 'PUT', body: 'once', headers: { 'idempotency-key': 'restart-test' } };
  const first = (await (await fetch(`${cluster.url('n1')}/kv/counter`, idempotent)).json()) as {
    revision: number;
  };
  const retried = (await (
    await fetch(`${cluster.url('n2')}/kv/counter`, { ...idempotent, body: 'twice' })
  ).json()) as { revision: number };
  expect(retried.revision).toBe(first.revision);

  // Every node has taken a snapshot, so the restart below loads it and replays only the log after it.
  await waitFor(
    () => all.every((id) => cluster!.processes.get(id)!.logs.some((line) => line.msg === 'snapshot taken')),
    {
      timeoutMs: 10_000,
    },
  );
  const exits = await cluster.stopAll('SIGTERM');
  expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
  await cluster.startAll();
  await cluster.waitForLeader();

  for (const [key, value] of acknowledged) {
    const url = cluster.url(all[key.length % all.length]!);
    expect(await (await fetch(`${url}/kv/${key}`)).text()).toBe(value);
  }
  // The deduplication table survived the restart: a retry after it still returns the first result.
  const afterRestart = await fetch(`${cluster.url('n3')}/kv/counter`, { ...idempotent, body: 'thrice' });
  expect(((await afterRestart.json()) as { revision: number }).revision).toBe(first.revision);
  const counter = await fetch(`${cluster.url('n1')}/kv/counter`);
  expect(await counter.text()).toBe('once');
  expect(counter.headers.get('etag')).toBe(`"${first.revision}"`);
  await cluster.waitForConvergence(all);
});
