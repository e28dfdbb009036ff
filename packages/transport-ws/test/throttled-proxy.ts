// Test support: a TCP proxy on loopback that forwards the dialer's bytes at a fixed rate (a slow link)
// and the answers unthrottled, so a sender's socket backs up the way it does on a thin network.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

export interface ThrottledProxy {
  /** `ws://` URL of the proxy. */
  readonly url: string;
  /** Bytes forwarded from dialers to the target so far. */
  forwarded(): number;
  close(): Promise<void>;
}

/** Forwards to `targetPort` on loopback at most `bytesPerSecond` in the dialer-to-target direction. */
export async function startThrottledProxy(
  targetPort: number,
  bytesPerSecond: number,
): Promise<ThrottledProxy> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      upstream.write(chunk);
      // Read nothing more until this chunk's share of the rate has elapsed: the kernel buffers then
      // fill and the sender's socket backs up.
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    const cut = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded: () => forwarded,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
