import type { InstallSnapshot, Message, RaftEvent } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import type { DroppedMessage } from '../src/index.js';
import { connectAll, DEADLINE, heartbeat, received, startedNodes } from './node-harness.js';
import { startThrottledProxy, type ThrottledProxy } from './throttled-proxy.js';

const CHUNK_BYTES = 256 * 1024;
let proxies: ThrottledProxy[] = [];

const start = startedNodes();

afterEach(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  proxies = [];
});

function chunk(from: string, to: string, sequence: number, bytes = CHUNK_BYTES): InstallSnapshot {
  return {
    type: 'InstallSnapshot',
    from,
    to,
    term: 1,
    meta: { index: 1_000, term: 1, config: { voters: [from, to], outgoingVoters: [], learners: [] } },
    transferId: 1,
    offset: sequence * bytes,
    data: new Uint8Array(bytes).fill(sequence & 0xff),
    done: false,
  };
}

const isChunk = (message: Message): message is InstallSnapshot => message.type === 'InstallSnapshot';

describe('snapshot lane: chunks never hold other messages behind them', () => {
  it('heartbeats queued after a backlog of chunks to a slow peer overtake it; another peer is not delayed', async () => {
    const total = 64; // 16 MiB of chunks through a 8 MiB/s link: about two seconds of backlog
    const sender = await start('a', {
      snapshotLane: { maxQueuedMessages: total, maxQueuedBytes: 2 * total * CHUNK_BYTES },
    });
    const slow = await start('b');
    const fast = await start('c');
    const proxy = await startThrottledProxy(slow.transport.address()!.port, 8 * 1024 * 1024);
    proxies.push(proxy);
    connectAll([sender, slow, fast]);
    sender.transport.setPeers(
      new Map([
        ['b', proxy.url],
        ['c', fast.url],
      ]),
    );
    sender.transport.send([heartbeat('a', 'b', 1), heartbeat('a', 'c', 1)]);
    await waitFor(() => received(slow, 1) && received(fast, 1), DEADLINE);

    sender.transport.send(Array.from({ length: total }, (_, i) => chunk('a', 'b', i)));
    await waitFor(() => slow.inbox.filter(isChunk).length >= 2, DEADLINE);
    // Most chunks still wait in the lane, behind the socket's small backlog limit.
    const queuedWhenSent = sender.transport
      .stats()
      .peers.find((peer) => peer.id === 'b')!.snapshotQueuedMessages;
    expect(queuedWhenSent).toBeGreaterThan(total / 2);

    const sentAt = performance.now();
    sender.transport.send([heartbeat('a', 'b', 2), heartbeat('a', 'c', 2)]);
    await waitFor(() => received(fast, 2), DEADLINE);
    const otherPeerMs = performance.now() - sentAt;
    await waitFor(() => received(slow, 2), DEADLINE);
    const samePeerMs = performance.now() - sentAt;
    const chunksBefore = slow.inbox.filter(isChunk).length;

    await waitFor(() => slow.inbox.filter(isChunk).length === total, { timeoutMs: 20_000 });
    const transferMs = performance.now() - sentAt;
    console.log(
      `snapshot lane: ${queuedWhenSent} chunks queued when the heartbeat was sent; it arrived after ` +
        `${chunksBefore}/${total} chunks, in ${samePeerMs.toFixed(0)} ms (other peer ${otherPeerMs.toFixed(0)} ms, ` +
        `rest of the transfer ${transferMs.toFixed(0)} ms)`,
    );
    // The heartbeat overtook the queued chunks: only those already in the socket and the kernel's
    // buffers arrived before it. Without the lane it would arrive after all of them.
    expect(chunksBefore).toBeLessThan(total - queuedWhenSent / 2);
    expect(samePeerMs).toBeLessThan(transferMs / 2);
    expect(otherPeerMs).toBeLessThan(1_000);
    // The chunks themselves still arrive, all of them, in order.
    const offsets = slow.inbox.filter(isChunk).map((message) => message.offset);
    expect(offsets).toEqual(Array.from({ length: total }, (_, i) => i * CHUNK_BYTES));
    expect(sender.transport.stats().dropped['snapshot-queue-full']).toBe(0);
  });

  it('ordinary messages still go while the socket is above the lane backlog limit', async () => {
    const total = 48;
    const sender = await start('a', {
      snapshotLane: {
        maxBufferedBytes: 1,
        maxQueuedMessages: total,
        maxQueuedBytes: 2 * total * CHUNK_BYTES,
      },
    });
    const slow = await start('b');
    const proxy = await startThrottledProxy(slow.transport.address()!.port, 8 * 1024 * 1024);
    proxies.push(proxy);
    connectAll([sender, slow]);
    sender.transport.setPeers(new Map([['b', proxy.url]]));
    sender.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(slow, 1), DEADLINE);
    sender.transport.send(Array.from({ length: total }, (_, i) => chunk('a', 'b', i)));
    const peerStats = () => sender.transport.stats().peers[0]!;
    // Once the kernel's buffers are full a chunk stays in the socket, and the lane holds the rest back.
    await waitFor(() => peerStats().bufferedBytes > 1 && peerStats().snapshotQueuedMessages > 0, DEADLINE);
    const held = peerStats();
    sender.transport.send(Array.from({ length: 10 }, (_, i) => heartbeat('a', 'b', 2 + i)));
    await Promise.resolve(); // the flush runs in a microtask
    await Promise.resolve();
    // The heartbeats went straight into the socket although it is above the lane's limit ...
    const after = peerStats();
    expect(after.queuedMessages).toBe(0);
    expect(after.bufferedBytes).toBeGreaterThan(held.bufferedBytes);
    // ... while the chunks still wait.
    expect(after.snapshotQueuedMessages).toBe(held.snapshotQueuedMessages);
    await waitFor(() => received(slow, 11), DEADLINE);
    expect(slow.inbox.filter(isChunk).length).toBeLessThan(total);
  });
});

describe('snapshot lane bounds', () => {
  it('a lane at its count or byte bound drops chunks as snapshot-queue-full (stats, onDrop, observer); the normal lane is untouched', async () => {
    const drops: DroppedMessage[] = [];
    const events: RaftEvent[] = [];
    const sender = await start(
      'a',
      { snapshotLane: { maxQueuedMessages: 3, maxQueuedBytes: 64 * 1024 * 1024 } },
      {
        onDrop: (drop: DroppedMessage) => drops.push(drop),
        observer: (event: RaftEvent) => events.push(event),
      },
    );
    // Nobody listens there: everything stays queued while the dialer backs off.
    sender.transport.setPeers(new Map([['b', 'ws://127.0.0.1:1']]));
    sender.transport.send(Array.from({ length: 5 }, (_, i) => chunk('a', 'b', i, 1024)));
    sender.transport.send(Array.from({ length: 5 }, (_, i) => heartbeat('a', 'b', i)));
    const peer = sender.transport.stats().peers[0]!;
    expect(peer).toMatchObject({ snapshotQueuedMessages: 3, queuedMessages: 5 });
    expect(sender.transport.stats().dropped['snapshot-queue-full']).toBe(2);
    expect(sender.transport.stats().dropped['queue-full']).toBe(0);
    expect(drops).toEqual([
      { reason: 'snapshot-queue-full', peer: 'b', messageType: 'InstallSnapshot' },
      { reason: 'snapshot-queue-full', peer: 'b', messageType: 'InstallSnapshot' },
    ]);
    expect(events.filter((event) => event.type === 'message-dropped')).toEqual([
      { type: 'message-dropped', messageType: 'InstallSnapshot', to: 'b', reason: 'overflow' },
      { type: 'message-dropped', messageType: 'InstallSnapshot', to: 'b', reason: 'overflow' },
    ]);
  });

  it('the byte bound counts chunk bytes: a chunk that would pass maxQueuedBytes is dropped', async () => {
    const sender = await start('a', { snapshotLane: { maxQueuedBytes: 10_000 } });
    sender.transport.setPeers(new Map([['b', 'ws://127.0.0.1:1']]));
    sender.transport.send([chunk('a', 'b', 0, 4_000), chunk('a', 'b', 1, 4_000), chunk('a', 'b', 2, 4_000)]);
    const peer = sender.transport.stats().peers[0]!;
    expect(peer.snapshotQueuedMessages).toBe(2);
    expect(peer.snapshotQueuedBytes).toBeLessThanOrEqual(10_000);
    expect(sender.transport.stats().dropped['snapshot-queue-full']).toBe(1);
  });

  it('stop drops what waits in both lanes as stopped', async () => {
    const sender = await start('a');
    sender.transport.setPeers(new Map([['b', 'ws://127.0.0.1:1']]));
    sender.transport.send([chunk('a', 'b', 0, 100), heartbeat('a', 'b', 1)]);
    await sender.transport.stop();
    expect(sender.transport.stats().dropped.stopped).toBe(2);
  });

  it('bad lane options are refused with RAFT_INVALID_OPTIONS', async () => {
    await expect(start('a', { snapshotLane: { maxBufferedBytes: 0 } })).rejects.toMatchObject({
      code: 'RAFT_INVALID_OPTIONS',
    });
  });
});
