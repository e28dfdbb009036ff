import { waitUntil } from '@raft/service';
import { expect, it } from 'vitest';
import { contentionScenario } from './support/contention-scenario.js';
import { call } from './support/lock-cluster.js';
import { holdSteadily, type SteadyHolder } from './support/steady-holder.js';

const start = contentionScenario('restart');

it('a restart of every node recovers from snapshot plus log: held locks and sessions survive, and tokens keep increasing', async () => {
  let steady: SteadyHolder | undefined;
  const { cluster, urls, contenders, finish } = await start({
    args: ['--snapshot-every', '20'],
    clients: 6,
    ttlMs: 8_000,
    beforeClients: async (nodes) => {
      steady = await holdSteadily(nodes, 'steady', 8_000);
    },
  });
  await contenders.moreGrants(40);
  // Every node has a snapshot, so the restart loads it and replays only the log after it.
  await waitUntil('every node snapshotted', () =>
    cluster.ids.every((id) => cluster.processes.get(id)!.logs.some((line) => line.msg === 'snapshot taken')),
  );
  // Per lock: grants of one lock never overlap, so each later grant has a larger token.
  const lastToken = (lock: string, grants = contenders.grants) =>
    Math.max(0, ...grants.filter((grant) => grant.lock === lock).map((grant) => grant.token));
  const before = new Map(['alpha', 'beta'].map((lock) => [lock, lastToken(lock)]));

  const exits = await cluster.stopAll('SIGTERM');
  expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
  await cluster.startAll();
  const restartedAt = performance.now();
  await cluster.waitForLeader();
  await contenders.moreGrants(40);
  await finish();
  const after = contenders.grants.filter((grant) => grant.grantedAt > restartedAt);
  for (const grant of after) expect(grant.token).toBeGreaterThan(before.get(grant.lock)!);
  expect(after.length).toBeGreaterThanOrEqual(40);

  // The steady session lived through the restart (the new leader restarted its TTL): same holder, same token.
  expect(steady!.held.signal.aborted).toBe(false);
  expect((await call(urls[1]!, 'GET', '/locks/steady')).json).toMatchObject({
    holder: steady!.held.session,
    token: steady!.held.token,
  });
  await steady!.letGo();
});
