import type { ProcessCluster } from '@raft/service';
import { waitUntil } from '@raft/service';
import { afterAll, expect, it } from 'vitest';
import { type FencedStore, startFencedStore } from '../examples/fenced-store.js';
import { Contenders, checkLockRules, summary } from './support/contenders.js';
import { call, lockCluster } from './support/lock-cluster.js';
import { testSeed } from './support/seeded-random.js';
import { holdSteadily } from './support/steady-holder.js';

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

it('a restart of every node recovers from snapshot plus log: held locks, queues and sessions survive, and tokens keep increasing', async () => {
  console.log(`restart seed ${seed} (replay the client mix with RAFT_LOCKS_TEST_SEED=${seed})`);
  ({ cluster, cleanup } = await lockCluster('restart', 3, ['--snapshot-every', '20']));
  await cluster.startAll();
  await cluster.waitForLeader();
  const urls = cluster.ids.map((id) => cluster!.url(id));
  store = await startFencedStore();
  const steady = await holdSteadily(urls, 'steady', 8_000);
  contenders = new Contenders({
    urls,
    locks: ['alpha', 'beta'],
    clients: 6,
    seed,
    ttlMs: 8_000,
    waitMs: 6_000,
    storeUrl: store.url,
  });
  await contenders.moreGrants(40);
  // Every node has a snapshot, so the restart loads it and replays only the log after it.
  await waitUntil('every node snapshotted', () =>
    cluster!.ids.every((id) =>
      cluster!.processes.get(id)!.logs.some((line) => line.msg === 'snapshot taken'),
    ),
  );
  const tokenBefore = Math.max(...contenders.grants.map((grant) => grant.token));

  const exits = await cluster.stopAll('SIGTERM');
  expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
  await cluster.startAll();
  await cluster.waitForLeader();
  await contenders.moreGrants(40);
  await contenders.stop();
  console.log(`restart: ${summary(contenders)}`);
  expect(checkLockRules(contenders)).toEqual([]);
  const after = contenders.grants.filter((grant) => grant.grantedAt > contenders!.grants[0]!.grantedAt);
  expect(Math.max(...after.map((grant) => grant.token))).toBeGreaterThan(tokenBefore);

  // The steady session lived through the restart (the new leader restarted its TTL): same holder, same token.
  expect(steady.held.signal.aborted).toBe(false);
  expect((await call(urls[1]!, 'GET', '/locks/steady')).json).toMatchObject({
    holder: steady.held.session,
    token: steady.held.token,
  });
  await steady.letGo();
});
