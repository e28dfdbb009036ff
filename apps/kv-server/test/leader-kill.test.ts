import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessCluster, stopProcess } from '@raft/service';
import { checkLinearizability } from '@raft/testkit';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { ClientSwarm, recordOperation } from './support/kv-clients.js';
import { kvCluster } from './support/kv-process.js';

const seed = Number(process.env['RAFT_KV_TEST_SEED'] ?? Date.now() % 100_000);
let root: string | undefined;
let cluster: ProcessCluster | undefined;

afterAll(async () => {
  await cluster?.stopAll();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

it('clients read and write while the leader is SIGKILLed and restarted: the history is linearizable and no acknowledged write is lost', async () => {
  console.log(`leader-kill seed ${seed} (replay the client mix with RAFT_KV_TEST_SEED=${seed})`);
  root = await mkdtemp(join(tmpdir(), 'raft-kv-kill-'));
  cluster = await kvCluster(root, 3, [
    '--tick-ms',
    '50',
    '--election-ticks',
    '10',
    '--request-timeout-ms',
    '3000',
    '--snapshot-every',
    '50',
  ]);
  const all = cluster.specs.map((spec) => spec.id);
  await cluster.startAll();
  const leader = await cluster.waitForLeader();
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const running = () => all.filter((id) => cluster!.isRunning(id)).map((id) => cluster!.url(id));
  const swarm = new ClientSwarm({
    clients: 4,
    keys,
    targets: () => all.map((id) => cluster!.url(id)),
    seed,
    timeoutMs: 4_000,
  });

  const okAfter = async (count: number) => {
    const target = swarm.counts.ok + count;
    await waitFor(() => swarm.counts.ok >= target, { timeoutMs: 20_000, intervalMs: 20 });
  };
  await okAfter(40);
  const exit = await stopProcess(cluster.processes.get(leader)!, 'SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
  const survivors = all.filter((id) => id !== leader);
  const newLeader = await cluster.waitForLeader(survivors);
  expect(newLeader).not.toBe(leader);
  await okAfter(40);
  await cluster.start(leader);
  await cluster.waitForLeader(all);
  await okAfter(40);
  await swarm.stop();
  await cluster.waitForConvergence(all);

  // Final linearizable reads of every key on every node belong to the history: a lost acknowledged write
  // would make them unexplainable.
  for (const url of running()) {
    for (const key of keys) {
      expect(await recordOperation(swarm.recorder, 99, url, { kind: 'get', key }, 4_000)).toBe('ok');
    }
  }
  const history = swarm.recorder.history();
  console.log(`leader-kill: ${JSON.stringify(swarm.counts)} operations, ${history.length} in the history`);
  const verdict = checkLinearizability(history, { timeBudgetMs: 30_000 });
  if (verdict.ok !== true) console.log(JSON.stringify(verdict, null, 2).slice(0, 4_000));
  expect(verdict.ok).toBe(true);

  // Every node holds the same data (stale reads straight from each state machine).
  const snapshots = await Promise.all(
    running().map(async (url) =>
      Promise.all(keys.map(async (key) => (await fetch(`${url}/kv/${key}?consistency=stale`)).text())),
    ),
  );
  for (const snapshot of snapshots) expect(snapshot).toEqual(snapshots[0]);
});
