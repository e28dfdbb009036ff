import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpError } from '../src/http-error.js';
import { readJsonObject } from '../src/json-body.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    readJsonObject(request, 64).then(
      (body) => response.end(JSON.stringify({ body })),
      (error: HttpError) => {
        response.statusCode = error.status;
        response.end(JSON.stringify({ error: error.code }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = async (body: string) => {
  const response = await fetch(base, { method: 'POST', body });
  return { status: response.status, json: await response.json() };
};

describe('readJsonObject', () => {
  it('reads a JSON object; an empty body reads as {}', async () => {
    expect(await post('{"a":1}')).toEqual({ status: 200, json: { body: { a: 1 } } });
    expect(await post('')).toEqual({ status: 200, json: { body: {} } });
  });

  it('refuses JSON that is not an object and text that is not JSON with 400 bad_request, a large body with 413', async () => {
    for (const body of ['[1]', 'null', '"text"', '{"a":', 'plain']) {
      expect(await post(body), body).toEqual({ status: 400, json: { error: 'bad_request' } });
    }
    expect(await post(JSON.stringify({ a: 'x'.repeat(100) }))).toEqual({
      status: 413,
      json: { error: 'payload_too_large' },
    });
  });
});
