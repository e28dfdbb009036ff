import { stopProcess } from '@raft/service';
import { expect, it } from 'vitest';
import { contentionScenario } from './support/contention-scenario.js';

const start = contentionScenario('leader-kill');

it('many clients contend for two locks while the leader is SIGKILLed and restarted: one holder at a time, increasing tokens, FIFO', async () => {
  const { cluster, leader, contenders, finish } = await start({
    args: ['--snapshot-every', '100'],
    clients: 8,
    ttlMs: 4_000,
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
  await finish();

  // Every session was closed: every node ends with both locks free and the same applied state.
  await cluster.waitForConvergence();
  for (const id of cluster.ids) {
    for (const lock of ['alpha', 'beta']) {
      const view = await (await fetch(`${cluster.url(id)}/locks/${lock}?consistency=stale`)).json();
      expect(view).toMatchObject({ holder: null, waiters: [] });
    }
  }
});
