import { type ProcessCluster, waitUntil } from '@raft/service';
import { afterAll, expect, it } from 'vitest';
import { type FencedStore, startFencedStore } from '../examples/fenced-store.js';
import { Contenders, checkLockRules, summary } from './support/contenders.js';
import { call, lockCluster } from './support/lock-cluster.js';
import { testSeed } from './support/seeded-random.js';
import { holdSteadily } from './support/steady-holder.js';

const seed = testSeed();
/** The longest election timeout of FAST_TIMING: timeouts are drawn from [10, 20) ticks of 50 ms. */
const MAX_ELECTION_TIMEOUT_MS = 1_000;
let cluster: ProcessCluster | undefined;
let cleanup: (() => Promise<void>) | undefined;
let store: FencedStore | undefined;
let contenders: Contenders | undefined;

afterAll(async () => {
  await contenders?.stop();
  await store?.close();
  await cleanup?.();
});

it('many clients contend while the leader is paused (SIGSTOP) for several election timeouts: the rules hold, and a kept-alive session survives the leader change', async () => {
  console.log(`leader-pause seed ${seed} (replay the client mix with RAFT_LOCKS_TEST_SEED=${seed})`);
  ({ cluster, cleanup } = await lockCluster('pause', 3));
  await cluster.startAll();
  const leader = await cluster.waitForLeader();
  const urls = cluster.ids.map((id) => cluster!.url(id));
  store = await startFencedStore();
  // A session whose TTL is shorter than the pause: only the new leader restarting TTLs keeps it alive.
  const steady = await holdSteadily(urls, 'steady', 3_000);
  contenders = new Contenders({
    urls,
    locks: ['alpha', 'beta'],
    clients: 8,
    seed,
    ttlMs: 4_000,
    waitMs: 6_000,
    storeUrl: store.url,
  });
  await contenders.moreGrants(30);

  const paused = cluster.processes.get(leader)!.child;
  paused.kill('SIGSTOP');
  const pausedAt = Date.now();
  try {
    const others = cluster.ids.filter((id) => id !== leader);
    expect(await cluster.waitForLeader(others)).not.toBe(leader);
    await contenders.moreGrants(30);
    const pauseMs = 3 * MAX_ELECTION_TIMEOUT_MS;
    await waitUntil('the pause lasted', () => Date.now() - pausedAt >= pauseMs, {
      timeoutMs: pauseMs + 1_000,
    });
  } finally {
    paused.kill('SIGCONT');
  }
  await cluster.waitForLeader();
  await contenders.moreGrants(30);
  await contenders.stop();
  console.log(`leader-pause: ${summary(contenders)}`);
  expect(checkLockRules(contenders)).toEqual([]);

  // The steady holder kept its lock and token through the pause: its session was never expired.
  expect(steady.held.signal.aborted).toBe(false);
  const view = await call(urls[0]!, 'GET', '/locks/steady');
  expect(view.json).toMatchObject({ holder: steady.held.session, token: steady.held.token });
  await steady.letGo();
  await cluster.waitForConvergence();
  for (const url of urls) {
    expect((await call(url, 'GET', '/locks/steady?consistency=stale')).json['holder']).toBeNull();
  }
});
