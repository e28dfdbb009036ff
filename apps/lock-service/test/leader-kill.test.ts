import type { ProcessCluster } from '@raft/service';
import { stopProcess } from '@raft/service';
import { afterAll, expect, it } from 'vitest';
import { type FencedStore, startFencedStore } from '../examples/fenced-store.js';
import { Contenders, checkLockRules, summary } from './support/contenders.js';
import { lockCluster } from './support/lock-cluster.js';
import { testSeed } from './support/seeded-random.js';

const seed = testSeed();
let cluster: ProcessCluster | undefined;
let cleanup: (() => Promise<void>) | undefined;
let store: FencedStore | undefined;
let contenders: Contenders | undefined;

afterAll(async () => {
  await contenders?.stop();
  await store?.close();
  await cleanup?.();
});

it('many clients contend for two locks while the leader is SIGKILLed and restarted: one holder at a time, increasing tokens, FIFO', async () => {
  console.log(`leader-kill seed ${seed} (replay the client mix with RAFT_LOCKS_TEST_SEED=${seed})`);
  ({ cluster, cleanup } = await lockCluster('kill', 3, ['--snapshot-every', '100']));
  await cluster.startAll();
  const leader = await cluster.waitForLeader();
  store = await startFencedStore();
  contenders = new Contenders({
    urls: cluster.ids.map((id) => cluster!.url(id)),
    locks: ['alpha', 'beta'],
    clients: 8,
    seed,
    ttlMs: 4_000,
    waitMs: 6_000,
    storeUrl: store.url,
  });
  await contenders.moreGrants(30);

  const exit = await stopProcess(cluster.processes.get(leader)!, 'SIGKILL');
  expect(exit.signal).toBe('SIGKILL');
  const survivors = cluster.ids.filter((id) => id !== leader);
  expect(await cluster.waitForLeader(survivors)).not.toBe(leader);
  await contenders.moreGrants(30);

  await cluster.start(leader);
  await cluster.waitForLeader();
  await contenders.moreGrants(30);
  await contenders.stop();
  console.log(`leader-kill: ${summary(contenders)}`);

  expect(checkLockRules(contenders)).toEqual([]);
  // Every session was closed: every node ends with both locks free and the same applied state.
  await cluster.waitForConvergence();
  for (const id of cluster.ids) {
    for (const lock of ['alpha', 'beta']) {
      const view = await (await fetch(`${cluster.url(id)}/locks/${lock}?consistency=stale`)).json();
      expect(view).toMatchObject({ holder: null, waiters: [] });
    }
  }
});
