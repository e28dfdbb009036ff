import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '@raft/service';
import { afterAll, expect, it } from 'vitest';
import { type FencedStore, startFencedStore } from '../examples/fenced-store.js';
import { createLockClient } from '../src/client/index.js';
import { call, runningCluster } from './support/lock-cluster.js';

const HOLDER = fileURLToPath(new URL('./support/fenced-holder.mjs', import.meta.url));
const HOLDER_TTL_MS = 1_000;

let cleanup: (() => Promise<void>) | undefined;
let store: FencedStore | undefined;
let holder: ChildProcess | undefined;

afterAll(async () => {
  holder?.kill('SIGKILL');
  await store?.close();
  await cleanup?.();
});

/** The holder's JSON lines, as they arrive. */
function linesOf(child: ChildProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  return lines;
}

it('a paused lock holder loses its lock when its session expires: the next waiter gets it with a larger token, and the fenced resource refuses the old holder once it resumes', async () => {
  const started = await runningCluster('paused-holder', 3, ['--min-ttl-ms', '300']);
  cleanup = started.cleanup;
  const urls = started.urls;
  store = await startFencedStore();

  holder = spawn(process.execPath, [HOLDER, urls.join(','), store.url, 'report', String(HOLDER_TTL_MS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const said = linesOf(holder);
  await waitUntil('the holder holds the lock', () => said.some((line) => 'granted' in line));
  const oldToken = said.find((line) => 'granted' in line)!['granted'] as number;
  const holderSession = (await call(urls[0]!, 'GET', '/locks/report')).json['holder'] as string;

  // A second client queues for the lock while the first holds it.
  const locks = createLockClient({ urls, attemptTimeoutMs: 1_000 });
  let newToken = 0;
  let holderDuringGrant: unknown;
  const waiter = locks.withLock(
    'report',
    async ({ token, session }) => {
      newToken = token;
      holderDuringGrant = (await call(urls[1]!, 'GET', '/locks/report')).json['holder'] === session;
      const write = await fetch(`${store!.url}/items/report`, {
        method: 'PUT',
        headers: { 'fencing-token': String(token) },
        body: 'from the new holder',
      });
      expect(write.status).toBe(200);
    },
    { ttlMs: 5_000, waitMs: 20_000 },
  );
  await waitUntil(
    'the second client waits in the queue',
    async () => ((await call(urls[0]!, 'GET', '/locks/report')).json['waiters'] as unknown[]).length === 1,
  );

  // The holder stops: no more keepalives. Its session expires on the leader's clock, through the log.
  holder.kill('SIGSTOP');
  const pausedAt = Date.now();
  try {
    await waiter;
    // Not before the TTL ran out.
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(HOLDER_TTL_MS - 400);
    expect(newToken).toBeGreaterThan(oldToken);
    expect(holderDuringGrant).toBe(true);
    const sessionGone = await call(urls[2]!, 'GET', `/sessions/${holderSession}`);
    expect(sessionGone.json['error']).toBe('session_not_found');
  } finally {
    holder.kill('SIGCONT');
  }

  // The old holder resumes and writes with its old token, as if it still held the lock: refused.
  holder.stdin!.write('write\n');
  await waitUntil('the old holder tried its write', () => said.some((line) => 'write' in line));
  const attempt = said.find((line) => 'write' in line)!;
  expect(attempt['write']).toBe(409);
  expect(attempt['body']).toMatchObject({ error: 'stale_token', token: oldToken, highest: newToken });
  expect(store.item('report')).toEqual({ value: 'from the new holder', token: newToken });
  expect(store.refused()).toBe(1);
});
