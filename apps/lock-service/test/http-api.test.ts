import { request as httpRequest } from 'node:http';
import type { ProcessCluster } from '@raft/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, runningCluster } from './support/lock-cluster.js';

// One real raft-locks process (a one-member cluster) serves every route.

let cluster: ProcessCluster;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  const limits = [
    '--min-ttl-ms',
    '200',
    '--max-ttl-ms',
    '60000',
    '--max-wait-ms',
    '5000',
    '--max-lock-name-bytes',
    '32',
  ];
  const started = await runningCluster('http', 1, limits);
  ({ cluster, cleanup } = started);
  base = started.urls[0]!;
});

afterAll(async () => {
  // A clean stop: SIGTERM is answered with exit status 0.
  expect((await cluster.stopAll()).map((exit) => exit.code)).toEqual([0]);
  await cleanup();
});

const api = (method: string, path: string, body?: unknown) => call(base, method, path, body);

async function openSession(ttlMs = 30_000): Promise<string> {
  const opened = await api('POST', '/sessions', { ttlMs });
  expect(opened.status).toBe(201);
  return opened.json['session'] as string;
}

describe('sessions', () => {
  it('POST /sessions opens a session (201 with its id and TTL); keepalive answers 200; every response names the leader', async () => {
    const opened = await api('POST', '/sessions', { ttlMs: 5_000 });
    expect(opened.status).toBe(201);
    expect(opened.json).toMatchObject({ ttlMs: 5_000 });
    expect(opened.headers.get('raft-leader')).toBe('n1');
    const id = opened.json['session'] as string;
    const kept = await api('POST', `/sessions/${id}/keepalive`);
    expect(kept.status).toBe(200);
    expect(kept.json).toEqual({ session: id, ttlMs: 5_000 });
    expect(kept.headers.get('raft-leader')).toBe('n1');
    const described = await api('GET', `/sessions/${id}`);
    expect(described.json).toEqual({ session: id, ttlMs: 5_000, holds: [], waits: [] });
  });

  it('a TTL outside [--min-ttl-ms, --max-ttl-ms], a missing TTL and a body that is not a JSON object answer 400', async () => {
    for (const body of [{ ttlMs: 100 }, { ttlMs: 60_001 }, { ttlMs: 1.5 }, { ttlMs: '1000' }, {}]) {
      const answer = await api('POST', '/sessions', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json).toMatchObject({ error: 'bad_ttl', min: 200, max: 60_000 });
    }
    for (const body of ['{"ttlMs":', '[1000]', '"x"']) {
      const answer = await api('POST', '/sessions', body);
      expect(answer.status).toBe(400);
      expect(answer.json['error']).toBe('bad_request');
      expect(answer.headers.get('raft-leader')).toBe('n1');
    }
  });

  it('DELETE /sessions/{id} releases every lock the session holds to the next waiter; then the session is gone (404)', async () => {
    const holder = await openSession();
    const waiter = await openSession();
    const granted = await api('POST', '/locks/del-a/acquire', { session: holder });
    await api('POST', '/locks/del-b/acquire', { session: holder });
    const waiting = api('POST', '/locks/del-a/acquire', { session: waiter, waitMs: 5_000 });
    // The waiter is queued before the holder goes.
    await expect.poll(async () => (await api('GET', '/locks/del-a')).json['waiters']).toHaveLength(1);
    const closed = await api('DELETE', `/sessions/${holder}`);
    expect(closed.status).toBe(200);
    expect(closed.json['released']).toEqual(['del-a', 'del-b']);
    const next = await waiting;
    expect(next.status).toBe(200);
    expect(next.json['token'] as number).toBeGreaterThan(granted.json['token'] as number);
    expect(closed.json['grants']).toEqual([next.json]);
    for (const [method, path] of [
      ['DELETE', `/sessions/${holder}`],
      ['POST', `/sessions/${holder}/keepalive`],
      ['GET', `/sessions/${holder}`],
    ] as const) {
      const answer = await api(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.json['error']).toBe('session_not_found');
    }
    expect((await api('GET', '/locks/del-b')).json).toEqual({
      lock: 'del-b',
      holder: null,
      token: null,
      queuedAt: null,
      waiters: [],
    });
  });

  it('a session without keepalives expires after its TTL, and its lock passes to the next waiter', async () => {
    const short = (await api('POST', '/sessions', { ttlMs: 300 })).json['session'] as string;
    const waiter = await openSession();
    const first = await api('POST', '/locks/exp/acquire', { session: short });
    const next = await api('POST', '/locks/exp/acquire', { session: waiter, waitMs: 5_000 });
    expect(next.status).toBe(200);
    expect(next.json).toMatchObject({ session: waiter });
    expect(next.json['token'] as number).toBeGreaterThan(first.json['token'] as number);
    expect((await api('POST', `/sessions/${short}/keepalive`)).status).toBe(404);
  });
});

describe('locks', () => {
  it('acquire grants a free lock at once with a fencing token; GET shows holder, token and waiters', async () => {
    const session = await openSession();
    const granted = await api('POST', '/locks/job-1/acquire', { session });
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({ lock: 'job-1', session });
    const token = granted.json['token'] as number;
    expect(granted.json['queuedAt']).toBe(token);
    expect(granted.headers.get('raft-leader')).toBe('n1');
    // Idempotent: the holder acquiring again gets the same grant.
    expect((await api('POST', '/locks/job-1/acquire', { session })).json).toEqual(granted.json);
    for (const consistency of ['', '?consistency=linearizable', '?consistency=lease', '?consistency=stale']) {
      const view = await api('GET', `/locks/job-1${consistency}`);
      expect(view.status).toBe(200);
      expect(view.json).toEqual({ lock: 'job-1', holder: session, token, queuedAt: token, waiters: [] });
    }
    expect((await api('GET', '/locks/job-1?consistency=sometimes')).json['error']).toBe('bad_consistency');
  });

  it('acquire with waitMs 0 on a held lock answers 409 lock_busy at once; with waitMs it times out with 409 and leaves the queue', async () => {
    const holder = await openSession();
    const other = await openSession();
    await api('POST', '/locks/busy/acquire', { session: holder });
    const now = await api('POST', '/locks/busy/acquire', { session: other });
    expect(now.status).toBe(409);
    expect(now.json).toMatchObject({ error: 'lock_busy', holder });
    const startedAt = Date.now();
    const waited = await api('POST', '/locks/busy/acquire', { session: other, waitMs: 300 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(waited.status).toBe(409);
    expect(waited.json).toMatchObject({ error: 'lock_busy', holder });
    expect((await api('GET', '/locks/busy')).json['waiters']).toEqual([]);
    expect((await api('GET', `/sessions/${other}`)).json['waits']).toEqual([]);
  });

  it('waiters are granted in FIFO order as each holder releases; release returns the next grant', async () => {
    const sessions = [await openSession(), await openSession(), await openSession(), await openSession()];
    const first = await api('POST', '/locks/fifo/acquire', { session: sessions[0] });
    const waits: Promise<Awaited<ReturnType<typeof api>>>[] = [];
    for (const [position, session] of sessions.slice(1).entries()) {
      waits.push(api('POST', '/locks/fifo/acquire', { session, waitMs: 5_000 }));
      await expect
        .poll(async () => (await api('GET', '/locks/fifo')).json['waiters'])
        .toHaveLength(position + 1);
    }
    let previous = first.json;
    for (const [i, wait] of waits.entries()) {
      const released = await api('POST', '/locks/fifo/release', {
        session: previous['session'],
        token: previous['token'],
      });
      expect(released.status).toBe(200);
      const granted = await wait;
      expect(granted.json['session']).toBe(sessions[i + 1]);
      expect(released.json).toEqual({ lock: 'fifo', token: previous['token'], next: granted.json });
      expect(granted.json['token'] as number).toBeGreaterThan(previous['token'] as number);
      previous = granted.json;
    }
    const last = await api('POST', '/locks/fifo/release', { session: previous['session'] });
    expect(last.json).toEqual({ lock: 'fifo', token: previous['token'], next: null });
  });

  it('release by a non-holder or with another token answers 409 not_holder; by an unknown session 404', async () => {
    const holder = await openSession();
    const other = await openSession();
    const granted = await api('POST', '/locks/rel/acquire', { session: holder });
    const token = granted.json['token'] as number;
    expect((await api('POST', '/locks/rel/release', { session: other })).json['error']).toBe('not_holder');
    const stale = await api('POST', '/locks/rel/release', { session: holder, token: token - 1 });
    expect(stale.status).toBe(409);
    expect(stale.json['error']).toBe('not_holder');
    const unknown = await api('POST', '/locks/rel/release', { session: 'no-such-session' });
    expect(unknown.status).toBe(404);
    expect(unknown.json['error']).toBe('session_not_found');
    expect((await api('POST', '/locks/rel/acquire', { session: 'no-such-session' })).status).toBe(404);
    expect((await api('GET', '/locks/rel')).json['holder']).toBe(holder);
  });

  it('bad fields answer 400 with their code and change nothing', async () => {
    const session = await openSession();
    const cases: [string, unknown, string][] = [
      ['/locks/x/acquire', {}, 'bad_session'],
      ['/locks/x/acquire', { session: 7 }, 'bad_session'],
      ['/locks/x/acquire', { session: 'x'.repeat(129) }, 'bad_session'],
      ['/locks/x/acquire', { session, waitMs: -1 }, 'bad_wait'],
      ['/locks/x/acquire', { session, waitMs: 5_001 }, 'bad_wait'],
      ['/locks/x/release', { session, token: 0 }, 'bad_token'],
      ['/locks/x/release', { session, token: 'one' }, 'bad_token'],
      [`/locks/${'n'.repeat(33)}/acquire`, { session }, 'bad_lock_name'],
      ['/locks/%E0%A4%A/acquire', { session }, 'bad_request'],
      ['/locks/x/acquire', '{"session":', 'bad_request'],
    ];
    for (const [path, body, code] of cases) {
      const answer = await api('POST', path, body);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.json['error']).toBe(code);
    }
    expect((await api('GET', `/sessions/${session}`)).json).toMatchObject({ holds: [], waits: [] });
  });

  it('a lock name is one path segment: a slash inside it is %2F', async () => {
    const session = await openSession();
    const granted = await api('POST', '/locks/a%2Fb/acquire', { session });
    expect(granted.json['lock']).toBe('a/b');
    expect((await api('GET', '/locks/a%2Fb')).json['holder']).toBe(session);
  });
});

describe('errors of the HTTP layer', () => {
  it('unknown routes answer 404, wrong methods 405 with Allow; every error is JSON and names the leader', async () => {
    const session = await openSession();
    const notFound: [string, string][] = [
      ['GET', '/nope'],
      ['GET', '/locks'],
      ['POST', '/locks/x/steal'],
      ['POST', '/locks/x/acquire/more'],
      ['GET', '/sessions/'],
      ['POST', `/sessions/${session}/renew`],
    ];
    for (const [method, path] of notFound) {
      const answer = await api(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.json['error']).toBe('not_found');
      expect(answer.headers.get('raft-leader')).toBe('n1');
    }
    const notAllowed: [string, string, string][] = [
      ['GET', '/sessions', 'POST'],
      ['PUT', `/sessions/${session}`, 'GET, DELETE'],
      ['GET', `/sessions/${session}/keepalive`, 'POST'],
      ['GET', '/locks/x/acquire', 'POST'],
      ['DELETE', '/locks/x', 'GET'],
      ['POST', '/cluster', 'GET'],
      // The membership routes every service has (--join).
      ['GET', '/cluster/join', 'POST'],
    ];
    for (const [method, path, allow] of notAllowed) {
      const answer = await api(method, path);
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.json['error']).toBe('method_not_allowed');
      expect(answer.headers.get('allow')).toBe(allow);
      expect(answer.headers.get('raft-leader')).toBe('n1');
    }
  });

  it('a body over 4 KiB answers 413 payload_too_large, from Content-Length or while streaming', async () => {
    const session = await openSession();
    const big = JSON.stringify({ session, padding: 'x'.repeat(5_000) });
    const declared = await api('POST', '/locks/x/acquire', big);
    expect(declared.status).toBe(413);
    expect(declared.json['error']).toBe('payload_too_large');
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/sessions`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x'.repeat(3_000));
      req.end('x'.repeat(3_000));
    });
    expect(streamed).toBe(413);
  });

  it('the ops routes work as in every service: /cluster lists this member with its client URL, /healthz, /readyz, /metrics', async () => {
    const view = (await api('GET', '/cluster')).json;
    expect(view).toMatchObject({ id: 'n1', role: 'leader', leader: 'n1' });
    await expect
      .poll(
        async () => ((await api('GET', '/cluster')).json['members'] as { clientUrl: string }[])[0]?.clientUrl,
      )
      .toBe(base);
    expect((await api('GET', '/healthz')).status).toBe(200);
    expect((await api('GET', '/readyz')).json).toMatchObject({ ready: true, leader: 'n1' });
    const metrics = await fetch(`${base}/metrics`);
    expect(await metrics.text()).toContain('raft_');
  });
});
