import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../src/http-body.js';
import { HttpError } from '../src/http-error.js';

// readBody against a real socket: bodies in several chunks, bodies too large while streaming, and a
// client that goes away mid-body (which must reject, not leave the handler waiting forever).
const LIMIT = 1_000;
let server: Server;
let port: number;
const outcomes: Promise<Uint8Array>[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    // Whether readBody handed over the very chunk the stream emitted, or bytes of its own.
    let firstChunk: Buffer | undefined;
    request.once('data', (chunk: Buffer) => {
      firstChunk = chunk;
    });
    const outcome = readBody(request, LIMIT, { view: request.headers['x-view'] === '1' });
    outcomes.push(outcome);
    outcome.then(
      (body) => {
        const memory = body === firstChunk ? 'view' : 'copy';
        response.end(`${body.length}:${Buffer.from(body).toString('hex')}:${memory}`);
      },
      (error: unknown) => {
        response.statusCode = error instanceof HttpError ? error.status : 500;
        response.setHeader('connection', 'close');
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `parts` as a chunked body, one write each; resolves with the status and body of the answer. */
function sendChunked(
  parts: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/', headers });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('latin1');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    for (const part of parts) request.write(part);
    request.end();
  });
}

describe('readBody', () => {
  it('joins a body sent in several chunks into exactly its bytes', async () => {
    const parts = ['abc', 'é'.repeat(10), 'x'.repeat(500)];
    const answer = await sendChunked(parts);
    const expected = Buffer.from(parts.join(''));
    expect(answer).toEqual({ status: 200, text: `${expected.length}:${expected.toString('hex')}:copy` });
  });

  it('copies a body that arrived in one chunk by default', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'PUT', body: 'one chunk' });
    expect(await response.text()).toBe(`9:${Buffer.from('one chunk').toString('hex')}:copy`);
  });

  it('with view, returns a one-chunk body as the chunk itself, bytes unchanged', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'PUT',
      body: 'one chunk',
      headers: { 'x-view': '1' },
    });
    expect(await response.text()).toBe(`9:${Buffer.from('one chunk').toString('hex')}:view`);
  });

  it('with view, still joins a body sent in several chunks into a copy', async () => {
    const parts = ['abc', 'é'.repeat(10), 'x'.repeat(500)];
    const answer = await sendChunked(parts, { 'x-view': '1' });
    const expected = Buffer.from(parts.join(''));
    expect(answer).toEqual({ status: 200, text: `${expected.length}:${expected.toString('hex')}:copy` });
  });

  it('refuses a body that grows past the limit while streaming with 413', async () => {
    const answer = await sendChunked(['y'.repeat(600), 'y'.repeat(600), 'y'.repeat(600)]);
    expect(answer.status).toBe(413);
    await expect(outcomes.at(-1)).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('refuses a declared Content-Length over the limit before reading anything', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'PUT', body: 'z'.repeat(LIMIT + 1) });
    expect(response.status).toBe(413);
  });

  it('rejects when the client goes away before the body ended', async () => {
    const before = outcomes.length;
    const request = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/' });
    request.on('error', () => {});
    request.write('partial body');
    // Wait until the server is reading this body, then cut the connection.
    const deadline = Date.now() + 5_000;
    while (outcomes.length === before) {
      if (Date.now() > deadline) throw new Error('the server never started reading the body');
      await new Promise((resolve) => setImmediate(resolve));
    }
    request.destroy();
    // Node reports the reset as an 'aborted' error, or else as a close before the end: either rejects.
    await expect(outcomes.at(-1)).rejects.toThrow(/aborted|closed before the request body ended/);
  });
});
