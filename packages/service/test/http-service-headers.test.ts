import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../src/http-error.js';
import { createHttpService, type HttpService, sendJson } from '../src/http-service.js';
import { createJsonLogger } from '../src/json-logger.js';

// The common headers (Raft-Leader) reach every response, whichever way the handler writes it, and a
// header of the same name from the handler wins over the common one.
let service: HttpService;
let base: string;

beforeAll(async () => {
  service = createHttpService({
    logger: createJsonLogger('error', () => {}),
    commonHeaders: () => ({ 'raft-leader': 'n1' }),
    routes: [
      {
        path: '/json',
        methods: { GET: ({ response }) => sendJson(response, 200, { ok: true }, { etag: '"7"' }) },
      },
      {
        path: '/object',
        methods: {
          GET: ({ response }) => {
            response.writeHead(201, { 'content-type': 'text/plain' });
            response.end('object');
          },
        },
      },
      {
        path: '/message',
        methods: {
          GET: ({ response }) => {
            response.writeHead(202, 'Taken', ['x-list', 'a']);
            response.end();
          },
        },
      },
      {
        path: '/pairs',
        methods: {
          GET: ({ response }) => {
            response.writeHead(200, [
              ['x-one', '1'],
              ['RAFT-LEADER', 'paired'],
            ]);
            response.end();
          },
        },
      },
      {
        path: '/implicit',
        methods: {
          GET: ({ response }) => {
            response.statusCode = 204;
            response.end();
          },
        },
      },
      {
        path: '/own-leader',
        methods: {
          GET: ({ response }) => {
            response.writeHead(200, { 'Raft-Leader': 'mine' });
            response.end();
          },
        },
      },
      {
        path: '/set-leader',
        methods: {
          GET: ({ response }) => {
            response.setHeader('raft-leader', 'set');
            sendJson(response, 200, {});
          },
        },
      },
      {
        path: '/fails',
        methods: {
          GET: () => {
            throw new HttpError(409, 'conflict', 'no');
          },
        },
      },
    ],
  });
  const address = await service.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(() => service.close(1_000));

async function get(path: string): Promise<Response> {
  const response = await fetch(`${base}${path}`);
  await response.arrayBuffer();
  return response;
}

describe('createHttpService common headers', () => {
  it('adds them to JSON answers, beside the handler headers and the body headers', async () => {
    const response = await get('/json');
    expect(response.status).toBe(200);
    expect(response.headers.get('raft-leader')).toBe('n1');
    expect(response.headers.get('etag')).toBe('"7"');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('adds them to responses written with writeHead (object or list, with a status message) or none', async () => {
    const object = await get('/object');
    expect([object.status, object.headers.get('raft-leader'), object.headers.get('content-type')]).toEqual([
      201,
      'n1',
      'text/plain',
    ]);
    const message = await get('/message');
    expect([message.status, message.statusText, message.headers.get('raft-leader')]).toEqual([
      202,
      'Taken',
      'n1',
    ]);
    expect(message.headers.get('x-list')).toBe('a');
    const implicit = await get('/implicit');
    expect([implicit.status, implicit.headers.get('raft-leader')]).toEqual([204, 'n1']);
  });

  it('lets a header of the same name from the handler win, whatever its letter case or way of setting', async () => {
    expect((await get('/own-leader')).headers.get('raft-leader')).toBe('mine');
    expect((await get('/set-leader')).headers.get('raft-leader')).toBe('set');
    const pairs = await get('/pairs');
    expect([pairs.headers.get('raft-leader'), pairs.headers.get('x-one')]).toEqual(['paired', '1']);
  });

  it('adds them to errors and to unknown routes', async () => {
    const failed = await get('/fails');
    expect([failed.status, failed.headers.get('raft-leader')]).toEqual([409, 'n1']);
    const missing = await get('/nowhere');
    expect([missing.status, missing.headers.get('raft-leader')]).toEqual([404, 'n1']);
  });
});
