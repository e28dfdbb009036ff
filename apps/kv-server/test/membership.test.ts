import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  getJson,
  type ProcessCluster,
  type ServiceProcess,
  spawnService,
  stopProcess,
} from '@raft/service';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { kvCluster, RAFT_KV_BIN } from './support/kv-process.js';

let root: string | undefined;
let cluster: ProcessCluster | undefined;
const extra: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(extra.map((kv) => stopProcess(kv, 'SIGKILL')));
  await cluster?.stopAll();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const TIMING = ['--tick-ms', '50', '--election-ticks', '10', '--snapshot-every', '20'];

/** Starts `raft-kv --join` for a new node with its own ports, in `dataDir`. */
async function startJoiner(id: string, dataDir: string, joinUrl: string, secret = 'test-secret') {
  const kv = spawnService(
    RAFT_KV_BIN,
    [
      '--id',
      id,
      '--data-dir',
      dataDir,
      '--client-listen',
      `127.0.0.1:${await freePort()}`,
      '--peer-listen',
      `127.0.0.1:${await freePort()}`,
      '--join',
      joinUrl,
      ...TIMING,
    ],
    { RAFT_CLUSTER_SECRET: secret },
  );
  extra.push(kv);
  return kv;
}

interface ClusterView {
  leader: string | null;
  members: { id: string; role: string; peerUrl: string | null }[];
}

async function view(url: string): Promise<ClusterView | undefined> {
  return (await getJson(`${url}/cluster`, 1_000)) as ClusterView | undefined;
}

async function voters(url: string): Promise<string[]> {
  const current = await view(url);
  return (current?.members ?? [])
    .filter((member) => member.role === 'voter')
    .map((member) => member.id)
    .sort();
}

it('a node started with --join is added as a learner, catches up, becomes a voter; removed, its data directory is refused; wiped, it joins again', async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-membership-'));
  cluster = await kvCluster(root, 3, TIMING);
  await cluster.startAll();
  const leader = await cluster.waitForLeader();
  const leaderUrl = cluster.url(leader);
  // Data written before the newcomer exists, which it must catch up on before its promotion.
  for (let i = 0; i < 60; i++) {
    const response = await fetch(`${leaderUrl}/kv/key-${i % 10}`, { method: 'PUT', body: `value-${i}` });
    expect(response.status).toBe(200);
  }

  // Joining through a follower: the join request is redirected to the leader.
  const follower = cluster.specs.map((spec) => spec.id).find((id) => id !== leader)!;
  const n4 = await startJoiner('n4', join(root, 'n4'), cluster.url(follower));
  const n4Url = await n4.listening;
  await waitFor(async () => (await voters(leaderUrl)).includes('n4'), { timeoutMs: 30_000, intervalMs: 100 });
  await waitFor(() => n4.logs.some((line) => line.msg === 'joined the cluster'), { timeoutMs: 10_000 });
  expect(await voters(leaderUrl)).toEqual(['n1', 'n2', 'n3', 'n4']);
  // It holds the data written before it joined, and serves linearizable reads.
  const read = await fetch(`${n4Url}/kv/key-9`);
  expect(read.status).toBe(200);
  expect(await read.text()).toBe('value-59');
  const written = await fetch(`${n4Url}/kv/after-join`, { method: 'PUT', body: 'yes' });
  expect(written.status).toBe(200);
  expect((await view(leaderUrl))!.members.find((member) => member.id === 'n4')!.peerUrl).toMatch(/^ws:/);

  // Decommission: removal through a follower answers 421 naming the leader; through the leader, 200.
  const misdirected = await fetch(`${cluster.url(follower)}/cluster/members/n4`, { method: 'DELETE' });
  expect(misdirected.status).toBe(421);
  expect(((await misdirected.json()) as { leader: string }).leader).toBe(leader);
  const removed = await fetch(`${leaderUrl}/cluster/members/n4`, { method: 'DELETE' });
  expect(removed.status).toBe(200);
  expect(await voters(leaderUrl)).toEqual(['n1', 'n2', 'n3']);
  await waitFor(
    async () => {
      const own = await view(n4Url);
      return own !== undefined && !own.members.some((member) => member.id === 'n4');
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  expect((await stopProcess(n4)).code).toBe(0);

  // Its data directory is refused under the same id.
  const again = await startJoiner('n4', join(root, 'n4'), leaderUrl);
  const exit = await again.exited;
  expect(exit.code).toBe(1);
  expect(JSON.stringify(again.logs)).toContain('RAFT_NODE_REMOVED');

  // With a fresh data directory, the same id joins again.
  const fresh = await startJoiner('n4', join(root, 'n4-fresh'), leaderUrl);
  await fresh.listening;
  await waitFor(async () => (await voters(leaderUrl)).includes('n4'), { timeoutMs: 30_000, intervalMs: 100 });
});

it('a join without the cluster secret is refused (403) and the joiner exits; a second --join of a member id is refused at start', async () => {
  const leader = await cluster!.waitForLeader(['n1', 'n2', 'n3']);
  const leaderUrl = cluster!.url(leader);
  const intruder = await startJoiner('n9', join(root!, 'n9'), leaderUrl, 'wrong-secret');
  const exit = await intruder.exited;
  expect(exit.code).toBe(1);
  expect(JSON.stringify(intruder.logs)).toContain('join_forbidden');
  expect(await voters(leaderUrl)).not.toContain('n9');

  const duplicate = await startJoiner('n1', join(root!, 'n1-again'), leaderUrl);
  expect((await duplicate.exited).code).toBe(2);
  expect(duplicate.logs.map((line) => line.msg)).toContain('cannot start');
});
