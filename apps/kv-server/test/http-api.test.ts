import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessCluster } from '@raft/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvCluster } from './support/kv-process.js';

// One real raft-kv process (a one-member cluster) serves every route; each test also checks that the
// node keeps serving afterwards.

let root: string;
let cluster: ProcessCluster;
let base: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-kv-http-'));
  cluster = await kvCluster(root, 1, [
    '--tick-ms',
    '20',
    '--election-ticks',
    '5',
    '--max-key-bytes',
    '64',
    '--max-value-bytes',
    '1000',
  ]);
  await cluster.startAll();
  base = cluster.url('n1');
  await cluster.waitForLeader();
});

afterAll(async () => {
  const exits = await cluster.stopAll();
  expect(exits.every((exit) => exit.code === 0)).toBe(true);
  await rm(root, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${base}${path}`, { method, ...init });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The node still answers a write and a read. */
async function stillServes(): Promise<void> {
  const put = await call('PUT', '/kv/canary', { body: 'alive' });
  expect(put.status).toBe(200);
  expect((await call('GET', '/kv/canary')).text).toBe('alive');
}

describe('HTTP API on a real process', () => {
  it('PUT answers 200 with the revision once applied; GET returns the raw value with an ETag; every response names the leader', async () => {
    const put = await call('PUT', '/kv/greeting', { body: new Uint8Array([0, 1, 2, 255]) });
    expect(put.status).toBe(200);
    const revision = put.json!['revision'] as number;
    expect(revision).toBeGreaterThan(0);
    expect(put.headers.get('raft-leader')).toBe('n1');
    const get = await fetch(`${base}/kv/greeting`);
    expect(get.status).toBe(200);
    expect(get.headers.get('etag')).toBe(`"${revision}"`);
    expect(get.headers.get('raft-leader')).toBe('n1');
    expect([...new Uint8Array(await get.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    for (const consistency of ['linearizable', 'lease', 'stale']) {
      expect((await call('GET', `/kv/greeting?consistency=${consistency}`)).status).toBe(200);
    }
    const missing = await call('GET', '/kv/never-written');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: 'not_found' });
    expect(missing.headers.get('raft-leader')).toBe('n1');
  });

  it('If-Match makes a compare-and-set and If-None-Match: * a create-only; a failed condition is 412 with the current revision', async () => {
    const created = await call('PUT', '/kv/cas', { body: 'v1', headers: { 'if-none-match': '*' } });
    expect(created.status).toBe(200);
    const revision = created.json!['revision'] as number;
    const again = await call('PUT', '/kv/cas', { body: 'v2', headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(412);
    expect(again.json).toMatchObject({ error: 'precondition_failed', revision });
    const stale = await call('PUT', '/kv/cas', {
      body: 'v2',
      headers: { 'if-match': `"${revision + 1000}"` },
    });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ revision });
    const swapped = await call('PUT', '/kv/cas', { body: 'v2', headers: { 'if-match': `"${revision}"` } });
    expect(swapped.status).toBe(200);
    expect((await call('GET', '/kv/cas')).text).toBe('v2');
    const absent = await call('PUT', '/kv/cas-missing', { body: 'x', headers: { 'if-match': '"1"' } });
    expect(absent.status).toBe(412);
    expect(absent.json).toMatchObject({ revision: null });
  });

  it('DELETE answers 200 with the revision, 404 for a missing key, and honours conditions', async () => {
    const put = await call('PUT', '/kv/doomed', { body: 'x' });
    const revision = put.json!['revision'] as number;
    expect(
      (await call('DELETE', '/kv/doomed', { headers: { 'if-match': `"${revision + 1}"` } })).status,
    ).toBe(412);
    const deleted = await call('DELETE', '/kv/doomed', { headers: { 'if-match': `"${revision}"` } });
    expect(deleted.status).toBe(200);
    expect(deleted.json!['revision']).toBeGreaterThan(revision);
    expect((await call('GET', '/kv/doomed')).status).toBe(404);
    expect((await call('DELETE', '/kv/doomed')).status).toBe(404);
  });

  it('GET /kv lists keys and revisions under a prefix, bounded by limit', async () => {
    for (const key of ['list/b', 'list/a', 'list/c', 'other']) await call('PUT', `/kv/${key}`, { body: key });
    const listed = await call('GET', '/kv?prefix=list/&limit=2');
    expect(listed.status).toBe(200);
    expect((listed.json!['keys'] as { key: string }[]).map((item) => item.key)).toEqual(['list/a', 'list/b']);
    expect(listed.json!['more']).toBe(true);
    expect((listed.json!['keys'] as { revision: number }[])[0]!.revision).toBeGreaterThan(0);
  });

  it('a retried write with the same Idempotency-Key returns the first result and is applied once', async () => {
    const headers = { 'idempotency-key': 'http-test-1' };
    const first = await call('PUT', '/kv/once', { body: 'first', headers });
    const retry = await call('PUT', '/kv/once', { body: 'second', headers });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(first.json);
    expect((await call('GET', '/kv/once')).text).toBe('first');
  });

  it('keys with slashes and percent-encoded characters round-trip', async () => {
    const key = encodeURIComponent('dir/sub key/ключ');
    expect((await call('PUT', `/kv/${key}`, { body: 'x' })).status).toBe(200);
    expect((await call('GET', `/kv/${key}`)).text).toBe('x');
    expect((await call('GET', '/kv/dir%2Fsub%20key%2F%D0%BA%D0%BB%D1%8E%D1%87')).text).toBe('x');
  });

  it('bad requests of every kind get the documented status and JSON error, nothing is written, and the node keeps serving', async () => {
    const cases: {
      name: string;
      method: string;
      path: string;
      body?: string;
      headers?: Record<string, string>;
      status: number;
      error: string;
    }[] = [
      {
        name: 'value over the limit',
        method: 'PUT',
        path: '/kv/big',
        body: 'x'.repeat(1001),
        status: 413,
        error: 'payload_too_large',
      },
      {
        name: 'key over the limit',
        method: 'PUT',
        path: `/kv/${'k'.repeat(65)}`,
        body: 'x',
        status: 400,
        error: 'key_too_large',
      },
      {
        name: 'malformed percent-encoding',
        method: 'PUT',
        path: '/kv/%E0%A4%A',
        body: 'x',
        status: 400,
        error: 'bad_key',
      },
      { name: 'empty key', method: 'PUT', path: '/kv/', body: 'x', status: 400, error: 'bad_key' },
      {
        name: 'unquoted If-Match',
        method: 'PUT',
        path: '/kv/bad-if',
        body: 'x',
        headers: { 'if-match': '5' },
        status: 400,
        error: 'bad_condition',
      },
      {
        name: 'If-None-Match other than *',
        method: 'PUT',
        path: '/kv/bad-if',
        body: 'x',
        headers: { 'if-none-match': '"5"' },
        status: 400,
        error: 'bad_condition',
      },
      {
        name: 'both conditions',
        method: 'PUT',
        path: '/kv/bad-if',
        body: 'x',
        headers: { 'if-match': '"1"', 'if-none-match': '*' },
        status: 400,
        error: 'bad_condition',
      },
      {
        name: 'oversized Idempotency-Key',
        method: 'PUT',
        path: '/kv/bad-idem',
        body: 'x',
        headers: { 'idempotency-key': 'i'.repeat(300) },
        status: 400,
        error: 'bad_idempotency_key',
      },
      {
        name: 'unknown consistency',
        method: 'GET',
        path: '/kv/greeting?consistency=eventual',
        status: 400,
        error: 'bad_consistency',
      },
      { name: 'bad list limit', method: 'GET', path: '/kv?limit=0', status: 400, error: 'bad_limit' },
      {
        name: 'non-numeric list limit',
        method: 'GET',
        path: '/kv?limit=ten',
        status: 400,
        error: 'bad_limit',
      },
      { name: 'unknown route', method: 'GET', path: '/nope', status: 404, error: 'not_found' },
      {
        name: 'wrong method on a key',
        method: 'POST',
        path: '/kv/x',
        body: 'x',
        status: 405,
        error: 'method_not_allowed',
      },
      {
        name: 'wrong method on the listing',
        method: 'PUT',
        path: '/kv',
        body: 'x',
        status: 405,
        error: 'method_not_allowed',
      },
      {
        name: 'wrong method on /cluster',
        method: 'DELETE',
        path: '/cluster',
        status: 405,
        error: 'method_not_allowed',
      },
    ];
    for (const testCase of cases) {
      const init: { body?: string; headers?: Record<string, string> } = {};
      if (testCase.body !== undefined) init.body = testCase.body;
      if (testCase.headers !== undefined) init.headers = testCase.headers;
      const answer = await call(testCase.method, testCase.path, init);
      expect({ name: testCase.name, status: answer.status, error: answer.json?.['error'] }).toEqual({
        name: testCase.name,
        status: testCase.status,
        error: testCase.error,
      });
      expect(typeof answer.json?.['message']).toBe('string');
    }
    const allow = await call('POST', '/kv/x');
    expect(allow.headers.get('allow')).toContain('PUT');
    for (const key of ['big', 'bad-if', 'bad-idem'])
      expect((await call('GET', `/kv/${key}`)).status).toBe(404);
    await stillServes();
  });

  it('a body larger than the limit is refused while streaming (no Content-Length), nothing written', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}/kv/streamed`);
      const request = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let i = 0; i < 5; i++) request.write('y'.repeat(300));
      request.end();
    });
    expect(status).toBe(413);
    expect((await call('GET', '/kv/streamed')).status).toBe(404);
    await stillServes();
  });

  it('garbage that is not HTTP gets a 400 and the connection is closed; the node keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.write('\u0000\u0001NOT HTTP AT ALL\r\n\r\n');
    });
    expect(answer.startsWith('HTTP/1.1 400')).toBe(true);
    await stillServes();
  });

  it('GET /cluster, /healthz, /readyz and /metrics describe the node', async () => {
    const view = await call('GET', '/cluster');
    expect(view.json).toMatchObject({ id: 'n1', role: 'leader', leader: 'n1' });
    const members = view.json!['members'] as {
      id: string;
      clientUrl: string;
      peerUrl: string;
      progress: unknown;
    }[];
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ id: 'n1', clientUrl: base });
    expect((view.json!['commitIndex'] as number) >= (view.json!['appliedIndex'] as number)).toBe(true);
    expect((await call('GET', '/healthz')).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ ready: true, leader: 'n1' });
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/raft_term\{[^}]*raft_node_id="n1"/);
    expect(metrics.text).toMatch(/raft_proposals_total\{/);
  });
});
