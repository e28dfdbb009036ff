import { waitUntil } from '@raft/service';
import { expect, it } from 'vitest';
import { contentionScenario } from './support/contention-scenario.js';
import { call } from './support/lock-cluster.js';
import { holdSteadily, type SteadyHolder } from './support/steady-holder.js';

const start = contentionScenario('leader-pause');
/** The longest election timeout of FAST_TIMING: timeouts are drawn from [10, 20) ticks of 50 ms. */
const MAX_ELECTION_TIMEOUT_MS = 1_000;

it('many clients contend while the leader is paused (SIGSTOP) for several election timeouts: the rules hold, and a kept-alive session survives the leader change', async () => {
  let steady: SteadyHolder | undefined;
  const { cluster, urls, leader, contenders, finish } = await start({
    clients: 8,
    ttlMs: 4_000,
    // A session whose TTL is shorter than the pause: only the new leader restarting TTLs keeps it alive.
    beforeClients: async (nodes) => {
      steady = await holdSteadily(nodes, 'steady', 3_000);
    },
  });
  await contenders.moreGrants(30);

  const paused = cluster.processes.get(leader)!.child;
  paused.kill('SIGSTOP');
  const pausedAt = Date.now();
  const pausedAtIso = new Date(pausedAt).toISOString();
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
  await finish();

  // The steady holder kept its lock and token through the pause: its session was never expired.
  if (steady!.held.signal.aborted) {
    // What the nodes said about sessions, to tell a client-side loss from a server-side expiry.
    for (const id of cluster.ids) {
      for (const line of cluster.processes.get(id)!.logs) {
        if (line['component'] === 'sessions' || line.msg === 'role changed')
          console.log(id, JSON.stringify(line));
      }
    }
    console.log(`steady session ${steady!.held.session}, leader paused at ${pausedAtIso}`);
  }
  expect(String(steady!.held.signal.reason ?? 'held')).toBe('held');
  const view = await call(urls[0]!, 'GET', '/locks/steady');
  expect(view.json).toMatchObject({ holder: steady!.held.session, token: steady!.held.token });
  await steady!.letGo();
  await cluster.waitForConvergence();
  for (const url of urls) {
    expect((await call(url, 'GET', '/locks/steady?consistency=stale')).json['holder']).toBeNull();
  }
});
