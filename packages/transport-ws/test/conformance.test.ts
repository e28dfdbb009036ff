import type { Server } from 'node:http';
import type { NodeId } from '@raft/core';
import { describeTransport } from '@raft/testkit/conformance';
import { webSocketTransport } from '../src/index.js';
import { capturingLogger } from './capturing-logger.js';
import { closeServer, listenOnLoopback, wsUrl } from './loopback-server.js';

let servers: Server[] = [];
let book: ReadonlyMap<NodeId, string> = new Map();

// The whole Transport contract, over real authenticated WebSocket connections on loopback.
describeTransport('webSocketTransport (HMAC handshake)', {
  async setup(ids) {
    servers = await Promise.all(ids.map(() => listenOnLoopback()));
    book = new Map(ids.map((id, i) => [id, wsUrl(servers[i]!)]));
    return new Map(
      ids.map((id, i) => [
        id,
        webSocketTransport(
          { id, server: servers[i]!, peers: book, clusterId: 'conformance', secret: 'conformance secret' },
          { logger: capturingLogger() },
        ),
      ]),
    );
  },
  addresses: () => book,
  async teardown() {
    await Promise.all(servers.map(closeServer));
  },
});
