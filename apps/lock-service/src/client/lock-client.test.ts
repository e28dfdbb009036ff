import { describe, expect, it } from 'vitest';
import { createLockClient } from './lock-client.js';

type Handler = (method: string, path: string, body: Record<string, unknown>) => Response | Promise<Response>;

/** A fake cluster behind `fetch`: one handler per base URL; records every request as `URL METHOD PATH`. */
function fakeCluster(handlers: Record<string, Handler>) {
  const requests: string[] = [];
  const bodies: Record<string, unknown>[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const base = `${url.protocol}//${url.host}`;
    const body = init?.body === undefined ? {} : (JSON.parse(String(init.body)) as Record<string, unknown>);
    requests.push(`${base} ${init?.method ?? 'GET'} ${url.pathname}`);
    bodies.push(body);
    const handler = handlers[base];
    if (handler === undefined) throw new TypeError('fetch failed: connection refused');
    return handler(init?.method ?? 'GET', url.pathname, body);
  }) as typeof fetch;
  return { fetchImpl, requests, bodies };
}

const json = (status: number, body: unknown, leader = 'n2') =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'raft-leader': leader, 'content-type': 'application/json' },
  });

/** A healthy node serving one lock for one session; token 7. */
function healthyNode(log: string[] = []): Handler {
  return (method, path) => {
    log.push(`${method} ${path}`);
    if (path === '/cluster') {
      return json(200, {
        members: [
          { id: 'n1', clientUrl: 'http://n1:1' },
          { id: 'n2', clientUrl: 'http://n2:1' },
        ],
      });
    }
    if (method === 'POST' && path === '/sessions') return json(201, { session: 's1', ttlMs: 3_000 });
    if (path.endsWith('/acquire')) return json(200, { lock: 'L', session: 's1', token: 7, queuedAt: 5 });
    if (method === 'DELETE') return json(200, { session: 's1', released: ['L'], grants: [] });
    return json(200, {});
  };
}

describe('createLockClient', () => {
  it('follows Raft-Leader: after one answer naming n2, requests go to the URL /cluster lists for n2', async () => {
    const { fetchImpl, requests } = fakeCluster({
      'http://n1:1': healthyNode(),
      'http://n2:1': healthyNode(),
    });
    const client = createLockClient({ urls: ['http://n1:1', 'http://n2:1'], fetch: fetchImpl });
    await client.openSession(3_000);
    await new Promise((resolve) => setImmediate(resolve)); // lets the /cluster lookup finish
    await client.keepAlive('s1');
    expect(requests).toEqual([
      'http://n1:1 POST /sessions',
      'http://n1:1 GET /cluster',
      'http://n2:1 POST /sessions/s1/keepalive',
    ]);
  });

  it('retries 503 answers and unreachable nodes on the next node until one serves the request', async () => {
    const unavailable: Handler = () => json(503, { error: 'no_leader' }, '');
    const { fetchImpl, requests } = fakeCluster({ 'http://a:1': unavailable, 'http://c:1': healthyNode() });
    const client = createLockClient({ urls: ['http://a:1', 'http://b:1', 'http://c:1'], fetch: fetchImpl });
    expect(await client.openSession(3_000)).toEqual({ session: 's1', ttlMs: 3_000 });
    expect(requests.filter((request) => request.endsWith('/sessions'))).toEqual([
      'http://a:1 POST /sessions',
      'http://b:1 POST /sessions',
      'http://c:1 POST /sessions',
    ]);
  });

  it('gives up with RAFT_LOCK_UNAVAILABLE once the retry window closes', async () => {
    const { fetchImpl } = fakeCluster({});
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl, retryForMs: 100 });
    await expect(client.openSession(3_000)).rejects.toMatchObject({ code: 'RAFT_LOCK_UNAVAILABLE' });
  });

  it('maps the server error codes to stable client codes', async () => {
    const answers: Record<string, Response> = {};
    const { fetchImpl } = fakeCluster({
      'http://a:1': (_method, path) => answers[path] ?? json(500, { error: 'internal' }),
    });
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl });
    answers['/locks/L/acquire'] = json(409, { error: 'lock_busy', holder: 'x' });
    await expect(client.acquire('L', 's1')).rejects.toMatchObject({ code: 'RAFT_LOCK_BUSY', status: 409 });
    answers['/locks/L/release'] = json(409, { error: 'not_holder' });
    await expect(client.release('L', 's1', { token: 3 })).rejects.toMatchObject({
      code: 'RAFT_LOCK_NOT_HOLDER',
    });
    answers['/sessions/s1/keepalive'] = json(404, { error: 'session_not_found' });
    await expect(client.keepAlive('s1')).rejects.toMatchObject({ code: 'RAFT_LOCK_SESSION_NOT_FOUND' });
    answers['/sessions'] = json(400, { error: 'bad_ttl' });
    await expect(client.openSession(1)).rejects.toMatchObject({
      code: 'RAFT_LOCK_REQUEST_FAILED',
      status: 400,
      serverCode: 'bad_ttl',
    });
    // A close retried after it went through finds the session gone: done, not an error.
    answers['/sessions/s1'] = json(404, { error: 'session_not_found' });
    expect(await client.closeSession('s1')).toEqual([]);
  });

  it('a retried acquire asks only for the wait time that is left', async () => {
    let first = true;
    const { fetchImpl, bodies } = fakeCluster({
      'http://a:1': async (_method, path) => {
        if (path !== '/locks/L/acquire') return json(200, {});
        if (first) {
          first = false;
          await new Promise((resolve) => setTimeout(resolve, 60));
          return json(503, { error: 'dropped' });
        }
        return json(200, { lock: 'L', session: 's1', token: 9, queuedAt: 4 });
      },
    });
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl });
    expect(await client.acquire('L', 's1', { waitMs: 1_000 })).toMatchObject({ token: 9 });
    const waits = bodies.filter((body) => 'waitMs' in body).map((body) => body['waitMs'] as number);
    expect(waits[0]).toBe(1_000);
    expect(waits[1]).toBeLessThanOrEqual(950);
  });

  it('withLock hands the fencing token to the function and closes the session after it, returning its value', async () => {
    const log: string[] = [];
    const { fetchImpl } = fakeCluster({ 'http://a:1': healthyNode(log) });
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl });
    const result = await client.withLock('L', ({ token, queuedAt, signal }) => {
      expect(signal.aborted).toBe(false);
      return `token ${token} queued at ${queuedAt}`;
    });
    expect(result).toBe('token 7 queued at 5');
    expect(log.filter((line) => !line.endsWith('/cluster'))).toEqual([
      'POST /sessions',
      'POST /locks/L/acquire',
      'DELETE /sessions/s1',
    ]);
  });

  it('withLock closes the session (releasing the lock) when the function throws, and rethrows its error', async () => {
    const log: string[] = [];
    const { fetchImpl } = fakeCluster({ 'http://a:1': healthyNode(log) });
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl });
    const failure = new Error('work failed');
    await expect(
      client.withLock('L', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log.at(-1)).toBe('DELETE /sessions/s1');
  });

  it('withLock closes the session when the lock stays busy, and fails with RAFT_LOCK_BUSY', async () => {
    const log: string[] = [];
    const node = healthyNode(log);
    const { fetchImpl } = fakeCluster({
      'http://a:1': (method, path, body) =>
        path.endsWith('/acquire') ? json(409, { error: 'lock_busy' }) : node(method, path, body),
    });
    const client = createLockClient({ urls: ['http://a:1'], fetch: fetchImpl });
    await expect(client.withLock('L', () => 'never', { waitMs: 0 })).rejects.toMatchObject({
      code: 'RAFT_LOCK_BUSY',
    });
    expect(log.at(-1)).toBe('DELETE /sessions/s1');
  });
});
