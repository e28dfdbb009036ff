import type { AppendEntries, Message, RaftEvent } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import type { DroppedMessage } from '../src/index.js';
import { type FreezableProxy, startProxy } from './freezable-proxy.js';
import { closeServer, listenOnLoopback, wsUrl } from './loopback-server.js';
import { connectAll, DEADLINE, heartbeat, received, startedNodes } from './node-harness.js';

let proxies: FreezableProxy[] = [];

const start = startedNodes();

afterEach(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  proxies = [];
});

function bigAppend(from: string, to: string, bytes: number): AppendEntries {
  return {
    type: 'AppendEntries',
    from,
    to,
    term: 1,
    prevLogIndex: 0,
    prevLogTerm: 0,
    leaderCommit: 0,
    entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array(bytes) }],
  };
}

describe('reconnection', () => {
  it('reconnects after the peer restarts on the same address, and delivers what was queued meanwhile', async () => {
    const a = await start('a');
    let b = await start('b');
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    const port = b.transport.address()!.port;
    await b.transport.stop();
    await waitFor(() => a.transport.stats().peers[0]?.state !== 'open', DEADLINE);
    // Sent while b is down: kept in the bounded queue until the connection is back.
    a.transport.send([heartbeat('a', 'b', 2)]);
    b = await start('b', { listen: { host: '127.0.0.1', port } });
    b.transport.setPeers(new Map([['a', a.url]]));
    await waitFor(() => received(b, 2), DEADLINE);
    expect(a.transport.stats().peers[0]).toMatchObject({ state: 'open', connections: 2 });
  });

  it('setPeers with a changed address redials at once instead of waiting for the old attempt', async () => {
    const a = await start('a', { handshakeTimeoutMs: 20_000 });
    const b = await start('b');
    const deadEnd = await listenOnLoopback(); // accepts TCP, never upgrades: the attempt hangs
    try {
      a.transport.setPeers(new Map([['b', wsUrl(deadEnd)]]));
      b.transport.setPeers(new Map([['a', a.url]]));
      a.transport.send([heartbeat('a', 'b', 1)]);
      a.transport.setPeers(new Map([['b', b.url]]));
      await waitFor(() => received(b, 1), { timeoutMs: 3_000 });
    } finally {
      await closeServer(deadEnd);
    }
  });

  it('removing a peer closes its connections both ways and drops what was queued for it', async () => {
    const drops: DroppedMessage[] = [];
    const a = await start('a', {}, { onDrop: (drop: DroppedMessage) => drops.push(drop) });
    const b = await start('b');
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    b.transport.setPeers(new Map()); // b leaves a out: a's connection is closed and redials are refused
    await waitFor(
      () => a.logger.lines.some((line) => line.details['reason'] === 'RAFT_WS_UNKNOWN_PEER'),
      DEADLINE,
    );
    a.transport.send([heartbeat('a', 'b', 2)]);
    a.transport.setPeers(new Map());
    expect(a.transport.stats().dropped['peer-removed']).toBe(1);
    expect(drops).toEqual([{ reason: 'peer-removed', peer: 'b', messageType: 'Heartbeat' }]);
    expect(received(b, 2)).toBe(false);
  });
});

describe('bounded queues', () => {
  it('a queue at maxQueuedMessages drops and counts (stats, onDrop, observer) instead of growing', async () => {
    const drops: DroppedMessage[] = [];
    const events: RaftEvent[] = [];
    const server = await listenOnLoopback(); // never completes a WebSocket upgrade
    try {
      const a = await start(
        'a',
        { maxQueuedMessages: 10 },
        {
          onDrop: (drop: DroppedMessage) => drops.push(drop),
          observer: (event: RaftEvent) => events.push(event),
        },
      );
      a.transport.setPeers(new Map([['b', wsUrl(server)]]));
      a.transport.send(Array.from({ length: 25 }, (_, seq) => heartbeat('a', 'b', seq)));
      a.transport.send([heartbeat('a', 'nobody', 99)]);
      const stats = a.transport.stats();
      expect(stats.dropped['queue-full']).toBe(15);
      expect(stats.dropped['unknown-peer']).toBe(1);
      expect(stats.peers[0]).toMatchObject({ queuedMessages: 10 });
      expect(drops.filter((drop) => drop.reason === 'queue-full')).toHaveLength(15);
      expect(
        events.filter((event) => event.type === 'message-dropped' && event.reason === 'overflow'),
      ).toHaveLength(15);
      expect(events).toContainEqual({
        type: 'message-dropped',
        messageType: 'Heartbeat',
        to: 'nobody',
        reason: 'unreachable',
      });
    } finally {
      await closeServer(server);
    }
  });

  it('a queue at maxQueuedBytes drops and counts', async () => {
    const server = await listenOnLoopback();
    try {
      const a = await start('a', { maxQueuedBytes: 100_000 });
      a.transport.setPeers(new Map([['b', wsUrl(server)]]));
      a.transport.send(Array.from({ length: 5 }, () => bigAppend('a', 'b', 30_000)));
      expect(a.transport.stats().dropped['queue-full']).toBe(2);
      expect(a.transport.stats().peers[0]!.queuedBytes).toBeLessThanOrEqual(100_000);
    } finally {
      await closeServer(server);
    }
  });

  it('a message larger than maxFrameBytes is dropped as oversized; smaller ones still go', async () => {
    const a = await start('a', { maxFrameBytes: 64 * 1024 });
    const b = await start('b', { maxFrameBytes: 64 * 1024 });
    connectAll([a, b]);
    a.transport.send([bigAppend('a', 'b', 100_000), heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    expect(a.transport.stats().dropped.oversized).toBe(1);
    expect(b.inbox.map((message) => message.type)).toEqual(['Heartbeat']);
  });

  it('frames stay under maxFrameBytes: a large burst is split, and all of it arrives', async () => {
    const a = await start('a', { maxFrameBytes: 64 * 1024 });
    const b = await start('b', { maxFrameBytes: 64 * 1024 });
    connectAll([a, b]);
    const burst: Message[] = Array.from({ length: 40 }, () => bigAppend('a', 'b', 10_000));
    a.transport.send(burst);
    await waitFor(() => b.inbox.length === 40, DEADLINE);
    const stats = a.transport.stats();
    expect(stats.framesSent).toBeGreaterThanOrEqual(7);
    expect(stats.bytesSent / stats.framesSent).toBeLessThanOrEqual(64 * 1024);
  });

  it("a slow peer's backed-up socket drops its own messages and does not delay another peer", async () => {
    const limits = { maxBufferedBytes: 64 * 1024, maxQueuedBytes: 512 * 1024 };
    const a = await start('a', limits);
    const [b, c] = [await start('b'), await start('c')];
    const proxy = await startProxy(b.transport.address()!.port);
    proxies.push(proxy);
    connectAll([a, b, c]);
    a.transport.setPeers(
      new Map([
        ['b', proxy.url],
        ['c', c.url],
      ]),
    );
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    proxy.freeze(); // b stops reading: a's socket to b backs up
    let seq = 100;
    await waitFor(
      () => {
        a.transport.send([bigAppend('a', 'b', 64 * 1024)]);
        return a.transport.stats().dropped['queue-full'] > 0;
      },
      { timeoutMs: 10_000, intervalMs: 1 },
    );
    const peerB = a.transport.stats().peers.find((peer) => peer.id === 'b')!;
    expect(peerB.queuedBytes).toBeLessThanOrEqual(limits.maxQueuedBytes);
    a.transport.send([heartbeat('a', 'c', ++seq)]);
    await waitFor(() => received(c, seq), { timeoutMs: 1_000 });
  });
});

describe('keepalive', () => {
  it('a peer that stops answering pings is detected on both sides (RAFT_WS_DEAD_PEER) and the link recovers', async () => {
    const keepalive = { keepalive: { pingIntervalMs: 50, deadPeerTimeoutMs: 200 }, handshakeTimeoutMs: 300 };
    const a = await start('a', keepalive);
    const b = await start('b', keepalive);
    const proxy = await startProxy(b.transport.address()!.port);
    proxies.push(proxy);
    connectAll([a, b]);
    a.transport.setPeers(new Map([['b', proxy.url]]));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    // The link hangs: nothing flows, nothing closes, and a's redials hang too.
    proxy.freeze();
    await waitFor(
      () =>
        a.transport.stats().connectionErrors.RAFT_WS_DEAD_PEER > 0 &&
        b.transport.stats().connectionErrors.RAFT_WS_DEAD_PEER > 0,
      DEADLINE,
    );
    expect(a.logger.codes()).toContain('RAFT_WS_DEAD_PEER');
    proxy.thaw(); // a's next redial gets through, and delivers
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor(() => received(b, 2), DEADLINE);
  });
});
