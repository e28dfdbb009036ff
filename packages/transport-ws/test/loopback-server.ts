// Test support: HTTP servers on an ephemeral loopback port, made before the transports that use them so
// that every address is known up front.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server listening on 127.0.0.1 at a port the OS picked. */
export async function listenOnLoopback(): Promise<Server> {
  const server = createServer((_request, response) => response.writeHead(426).end());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/** The `ws://` URL of a listening server. */
export function wsUrl(server: Server): string {
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server` and every connection still open on it. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
