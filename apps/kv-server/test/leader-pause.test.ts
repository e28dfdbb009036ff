import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, type ProcessCluster } from '@raft/service';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { kvCluster } from './support/kv-process.js';

let root: string | undefined;
let cluster: ProcessCluster | undefined;

afterAll(async () => {
  await cluster?.stopAll();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const TICK_MS = 50;
const ELECTION_TICKS = 10;
/** The longest election timeout: timeouts are drawn from [n, 2n) ticks. */
const MAX_ELECTION_TIMEOUT_MS = 2 * ELECTION_TICKS * TICK_MS;

it('a leader paused (SIGSTOP) for several election timeouts steps down after SIGCONT; the cluster keeps serving and all nodes converge', async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-pause-'));
  cluster = await kvCluster(root, 3, [
    '--tick-ms',
    String(TICK_MS),
    '--election-ticks',
    String(ELECTION_TICKS),
    '--request-timeout-ms',
    '3000',
  ]);
  const all = cluster.specs.map((spec) => spec.id);
  await cluster.startAll();
  const leader = await cluster.waitForLeader();
  const before = (await getJson(`${cluster.url(leader)}/cluster`))!;
  expect((await fetch(`${cluster.url(leader)}/kv/before`, { method: 'PUT', body: 'pause' })).status).toBe(
    200,
  );

  const paused = cluster.processes.get(leader)!.child;
  paused.kill('SIGSTOP');
  const pausedAt = Date.now();
  try {
    const others = all.filter((id) => id !== leader);
    const newLeader = await cluster.waitForLeader(others);
    // The cluster keeps serving without the paused node: writes and linearizable reads on the others.
    for (let i = 0; i < 20; i++) {
      const url = cluster.url(others[i % others.length]!);
      const put = await fetch(`${url}/kv/during-${i}`, { method: 'PUT', body: `v${i}` });
      expect(put.status).toBe(200);
      expect(put.headers.get('raft-leader')).toBe(newLeader);
    }
    expect(await (await fetch(`${cluster.url(others[0]!)}/kv/during-19`)).text()).toBe('v19');
    // Stay paused for several election timeouts in total.
    const pauseMs = 4 * MAX_ELECTION_TIMEOUT_MS;
    await waitFor(() => Date.now() - pausedAt >= pauseMs, { timeoutMs: pauseMs + 1_000, intervalMs: 50 });
  } finally {
    paused.kill('SIGCONT');
  }

  // The old leader learns of the newer term and follows; nobody went back to it.
  await waitFor(
    async () => {
      const view = await getJson(`${cluster!.url(leader)}/cluster`, 500);
      return (
        view !== undefined &&
        view['role'] !== 'leader' &&
        (view['term'] as number) > (before['term'] as number)
      );
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  const finalLeader = await cluster.waitForLeader(all);
  await cluster.waitForConvergence(all);
  for (const id of all) {
    expect(await (await fetch(`${cluster.url(id)}/kv/during-7?consistency=stale`)).text()).toBe('v7');
    expect(await (await fetch(`${cluster.url(id)}/kv/before?consistency=stale`)).text()).toBe('pause');
  }
  // And the old leader serves again, through whichever node leads now.
  const after = await fetch(`${cluster.url(leader)}/kv/after`, { method: 'PUT', body: 'resumed' });
  expect(after.status).toBe(200);
  expect(after.headers.get('raft-leader')).toBe(finalLeader);
});
