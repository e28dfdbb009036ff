import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionsError } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { encodeHandshake, newNonce, PROTOCOL_VERSION } from '../src/handshake.js';
import { MissingSecretError, webSocketTransport } from '../src/index.js';
import { capturingLogger } from './capturing-logger.js';
import { closeServer } from './loopback-server.js';
import {
  baseOptions,
  connectAll,
  DEADLINE,
  heartbeat,
  received,
  startedNodes,
  type TestNode,
} from './node-harness.js';
import { authenticate, closed } from './raw-peer.js';

const start = startedNodes();

/** `a` tries to reach `b`; a correctly configured `c` then reaches `b`, proving `b` kept running. */
async function expectRefusedThenServing(a: TestNode, b: TestNode, code: string): Promise<void> {
  a.transport.send([heartbeat(a.id, b.id, 1)]);
  await waitFor(() => b.transport.stats().connectionErrors[code as 'RAFT_WS_AUTH_FAILED'] > 0, DEADLINE);
  expect(b.logger.lines.some((line) => line.level === 'warn' && line.details['code'] === code)).toBe(true);
  expect(received(b, 1)).toBe(false);
  const c = await start('c');
  connectAll([b, c]);
  c.transport.send([heartbeat('c', b.id, 2)]);
  await waitFor(() => received(b, 2), DEADLINE);
  expect(received(b, 1)).toBe(false);
}

describe('handshake: every connection authenticates both ways', () => {
  it('nodes sharing the secret and cluster id exchange messages in both directions', async () => {
    const [a, b] = [await start('a'), await start('b')];
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    b.transport.send([heartbeat('b', 'a', 2)]);
    await waitFor(() => received(b, 1) && received(a, 2), DEADLINE);
    const stats = a.transport.stats();
    expect(Object.values(stats.connectionErrors).every((count) => count === 0)).toBe(true);
    expect(stats.peers).toMatchObject([{ id: 'b', state: 'open', inbound: true, connections: 1 }]);
  });

  it('a peer with the wrong secret is refused (RAFT_WS_AUTH_FAILED) and the node keeps serving', async () => {
    const [a, b] = [await start('a', { secret: 'not the secret' }), await start('b')];
    connectAll([a, b]);
    await expectRefusedThenServing(a, b, 'RAFT_WS_AUTH_FAILED');
  });

  it('a peer of another cluster is refused (RAFT_WS_WRONG_CLUSTER) and the node keeps serving', async () => {
    const [a, b] = [await start('a', { clusterId: 'other-cluster' }), await start('b')];
    connectAll([a, b]);
    await expectRefusedThenServing(a, b, 'RAFT_WS_WRONG_CLUSTER');
  });

  it('a peer missing from the address book is refused (RAFT_WS_UNKNOWN_PEER)', async () => {
    const [a, b] = [await start('a'), await start('b')];
    a.transport.setPeers(new Map([['b', b.url]]));
    b.transport.setPeers(new Map());
    await expectRefusedThenServing(a, b, 'RAFT_WS_UNKNOWN_PEER');
  });

  it('dialing a node under the wrong id is refused (RAFT_WS_UNKNOWN_PEER): ids are bound', async () => {
    const [a, b] = [await start('a'), await start('b')];
    // a believes node 'x' lives at b's address; b must not accept messages meant for x.
    a.transport.setPeers(new Map([['x', b.url]]));
    b.transport.setPeers(new Map([['a', a.url]]));
    a.transport.send([heartbeat('a', 'x', 1)]);
    await waitFor(() => b.transport.stats().connectionErrors.RAFT_WS_UNKNOWN_PEER > 0, DEADLINE);
    expect(b.inbox).toEqual([]);
  });

  it('a peer that cannot prove the secret is refused even when it claims a known id', async () => {
    const [a, b] = [await start('a'), await start('b')];
    connectAll([a, b]);
    const attempt = authenticate(b.url, { clusterId: 'test-cluster', from: 'a', to: 'b', secret: 'guess' });
    await expect(attempt).rejects.toMatchObject({ code: 4401, reason: 'RAFT_WS_AUTH_FAILED' });
    expect(b.transport.stats().connectionErrors.RAFT_WS_AUTH_FAILED).toBe(1);
  });

  it('the dialer authenticates the server too: a server without the secret gets no messages', async () => {
    // A fake server that issues a challenge and answers any hello with a made-up proof.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const wss = new WebSocketServer({ server });
    const frames: boolean[] = [];
    wss.on('connection', (socket) => {
      socket.send(encodeHandshake({ type: 'challenge', version: PROTOCOL_VERSION, nonce: newNonce() }));
      socket.on('message', (_data, isBinary) => {
        frames.push(isBinary);
        if (!isBinary)
          socket.send(encodeHandshake({ type: 'welcome', proof: Buffer.alloc(32).toString('base64') }));
      });
    });
    try {
      const a = await start('a');
      a.transport.setPeers(new Map([['b', `ws://127.0.0.1:${(server.address() as AddressInfo).port}`]]));
      a.transport.send([heartbeat('a', 'b', 1)]);
      await waitFor(() => a.transport.stats().connectionErrors.RAFT_WS_AUTH_FAILED > 0, DEADLINE);
      expect(frames.includes(true)).toBe(false);
    } finally {
      wss.close();
      await closeServer(server);
    }
  });

  it('messages claiming another sender are dropped (wrong-sender): a connection speaks for one node', async () => {
    const [a, b] = [await start('a'), await start('b')];
    connectAll([a, b]);
    const socket = await authenticate(b.url, {
      clusterId: 'test-cluster',
      from: 'a',
      to: 'b',
      secret: 'test secret',
    });
    const { encodeMessages } = await import('@raft/core');
    socket.send(encodeMessages([heartbeat('c', 'b', 1), heartbeat('a', 'z', 2), heartbeat('a', 'b', 3)]));
    await waitFor(() => received(b, 3), DEADLINE);
    expect(b.inbox).toHaveLength(1);
    expect(b.transport.stats().dropped).toMatchObject({ 'wrong-sender': 1, 'wrong-recipient': 1 });
    socket.terminate();
  });
});

describe('insecure mode must be asked for', () => {
  it('no secret and no insecure flag: refuses to start (RAFT_WS_NO_SECRET)', () => {
    const { secret: _secret, ...withoutSecret } = baseOptions('a');
    expect(() => webSocketTransport(withoutSecret)).toThrow(MissingSecretError);
    expect(() => webSocketTransport(withoutSecret)).toThrow(
      expect.objectContaining({ code: 'RAFT_WS_NO_SECRET' }),
    );
  });

  it('insecure: true starts with a loud warning, and nodes without a secret talk', async () => {
    const { secret: _secret, ...withoutSecret } = baseOptions('a');
    const logger = capturingLogger();
    const lonely = webSocketTransport({ ...withoutSecret, insecure: true }, { logger });
    await lonely.start(() => {});
    await lonely.stop();
    expect(logger.lines.some((line) => line.level === 'warn' && line.details['insecure'] === true)).toBe(
      true,
    );
  });

  it('a node with a secret refuses an insecure peer (RAFT_WS_AUTH_FAILED)', async () => {
    const a = await start('a', { insecure: true });
    const b = await start('b');
    connectAll([a, b]);
    await expectRefusedThenServing(a, b, 'RAFT_WS_AUTH_FAILED');
  });

  it('bad options are refused with RAFT_INVALID_OPTIONS', () => {
    const good = baseOptions('a');
    const bad = [
      { ...good, id: '' },
      { ...good, peers: { b: 'http://127.0.0.1:1' } },
      { ...good, maxFrameBytes: 0 },
      { ...good, keepalive: { pingIntervalMs: 100, deadPeerTimeoutMs: 50 } },
      { ...good, tls: { requestCert: true } },
      { id: 'a', clusterId: 'c', secret: 's' },
    ];
    for (const options of bad) {
      expect(() => webSocketTransport(options), JSON.stringify(options)).toThrow(InvalidOptionsError);
    }
  });
});

describe('a misbehaving connection is closed with a logged reason; the node keeps running', () => {
  it('silence after connecting: RAFT_WS_HANDSHAKE_TIMEOUT', async () => {
    const b = await start('b', { handshakeTimeoutMs: 100 });
    const { socket } = await import('./raw-peer.js').then((raw) => raw.openRaw(b.url));
    await expect(closed(socket)).resolves.toMatchObject({ code: 4408, reason: 'RAFT_WS_HANDSHAKE_TIMEOUT' });
  });

  it('a binary frame before the handshake: RAFT_WS_BAD_HANDSHAKE', async () => {
    const b = await start('b');
    const { socket } = await import('./raw-peer.js').then((raw) => raw.openRaw(b.url));
    socket.send(Buffer.from([1, 1, 0]));
    await expect(closed(socket)).resolves.toMatchObject({ reason: 'RAFT_WS_BAD_HANDSHAKE' });
  });

  it('garbage after the handshake: RAFT_WS_BAD_FRAME', async () => {
    const [a, b] = [await start('a'), await start('b')];
    connectAll([a, b]);
    const socket = await authenticate(b.url, {
      clusterId: 'test-cluster',
      from: 'a',
      to: 'b',
      secret: 'test secret',
    });
    socket.send(Buffer.from('definitely not a frame'));
    await expect(closed(socket)).resolves.toMatchObject({ code: 4422, reason: 'RAFT_WS_BAD_FRAME' });
    expect(b.logger.codes()).toContain('RAFT_WS_BAD_FRAME');
  });

  it('a frame above maxFrameBytes: RAFT_WS_FRAME_TOO_LARGE', async () => {
    const [a, b] = [await start('a'), await start('b', { maxFrameBytes: 16 * 1024 })];
    connectAll([a, b]);
    const socket = await authenticate(b.url, {
      clusterId: 'test-cluster',
      from: 'a',
      to: 'b',
      secret: 'test secret',
    });
    socket.send(Buffer.alloc(17 * 1024));
    await waitFor(() => b.transport.stats().connectionErrors.RAFT_WS_FRAME_TOO_LARGE === 1, DEADLINE);
    await closed(socket);
  });
});
