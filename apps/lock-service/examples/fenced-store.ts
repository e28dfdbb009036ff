import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A value the store accepted, with the fencing token that came with it. */
export interface StoredItem {
  readonly value: string;
  readonly token: number;
}

/** A running {@link startFencedStore}. */
export interface FencedStore {
  readonly url: string;
  /** The current item under `key`. */
  item(key: string): StoredItem | undefined;
  /** How many writes it refused for carrying a stale token. */
  readonly refused: () => number;
  close(): Promise<void>;
}

async function text(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

/**
 * The resource side of fencing: a tiny HTTP key-value store that remembers, per key, the largest fencing
 * token it has seen and refuses any write with a smaller one (409 `stale_token`). A lock holder whose
 * lease ran out without it noticing (a GC pause, a stopped VM, a slow network) still carries its old
 * token; by then the lock service has granted the lock again with a larger token, and the first write
 * made with that larger token shuts the old holder out for good. Equal tokens pass: the same holder
 * writing twice.
 *
 * `PUT /items/{key}` with the token in `Fencing-Token` and the value as the body; `GET /items/{key}`.
 */
export async function startFencedStore(port = 0): Promise<FencedStore> {
  const items = new Map<string, StoredItem>();
  let refused = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const key = decodeURIComponent((request.url ?? '/').replace(/^\/items\//, ''));
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET') {
        const item = items.get(key);
        send(item === undefined ? 404 : 200, item ?? { error: 'not_found' });
        return;
      }
      if (request.method !== 'PUT') {
        send(405, { error: 'method_not_allowed' });
        return;
      }
      const token = Number(request.headers['fencing-token']);
      const value = await text(request);
      if (!Number.isSafeInteger(token) || token < 1) {
        send(400, { error: 'bad_token' });
        return;
      }
      const current = items.get(key);
      // The check and the write happen together (one event loop turn): nothing can come between them.
      if (current !== undefined && token < current.token) {
        refused++;
        send(409, { error: 'stale_token', token, highest: current.token });
        return;
      }
      items.set(key, { value, token });
      send(200, { token });
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    item: (key) => items.get(key),
    refused: () => refused,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
