// Test support: a TCP proxy on loopback whose live connections can be frozen: bytes stop moving in
// both directions but no socket closes, which is what a partition or a hung process looks like.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

export interface FreezableProxy {
  /** `ws://` URL of the proxy. */
  readonly url: string;
  /** Stops moving bytes on every connection, open now or made later, until {@link thaw}. */
  freeze(): void;
  /** Connections made from now on flow again; the ones frozen stay frozen (dead) until closed. */
  thaw(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<FreezableProxy> {
  const pairs = new Set<readonly [Socket, Socket]>();
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = [client, upstream] as const;
    pairs.add(pair);
    if (frozen) {
      client.pause();
      upstream.pause();
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    // A frozen network carries no close either: the far side of a frozen pair must find out for
    // itself (keepalive), or both ends would race to see a close instead of a dead peer.
    const cut = () => {
      if (frozen) return;
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze() {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
