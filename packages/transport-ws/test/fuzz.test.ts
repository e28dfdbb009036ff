import { connect } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { encodeMessages, type Message } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeHandshake, newNonce, PROTOCOL_VERSION } from '../src/handshake.js';
import { type TransportLogger, type WebSocketTransport, webSocketTransport } from '../src/index.js';
import { FrameFuzzer, seededRandom } from './fuzz-frames.js';
import { baseOptions, heartbeat, received, startNode, type TestNode } from './node-harness.js';
import { authenticate, closed } from './raw-peer.js';

const TARGET_FRAMES = 100_000;
// The run stops at TARGET_FRAMES (about 20 s on a quiet 2-core machine); the budget only matters when
// other test files or processes share the CPU, and must stay under the test timeout below.
const TIME_BUDGET_MS = 40_000;
const MAX_FRAME_BYTES = 64 * 1024;
const MARKER = Number.MAX_SAFE_INTEGER;
/** Connections that misbehave before authenticating (one in eight is raw TCP, not WebSocket). */
const PRE_HANDSHAKE_CONNECTIONS = 1_500;
const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));

/** A logger that only counts: the fuzz run logs hundreds of thousands of rejections. */
function countingLogger(): TransportLogger & { lines: number } {
  const logger = {
    lines: 0,
    debug: () => logger.lines++,
    info: () => logger.lines++,
    warn: () => logger.lines++,
    error: () => logger.lines++,
  };
  return logger;
}

/** A real `gc()` (V8 lets a running process expose it), or undefined if the runtime refuses. */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function heapUsed(gc: (() => void) | undefined): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

describe(`fuzz: ${TARGET_FRAMES} random and mutated frames at a live node (seed ${seed}, replay with FUZZ_SEED)`, () => {
  const fuzz = new FrameFuzzer(seededRandom(seed));
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  let target: WebSocketTransport;
  let targetUrl: string;
  let legit: TestNode;
  let markerSeen: ((readSeq: number) => void) | undefined;

  /** Resolves once the node delivered sync marker `sync`, or once `socket` closed (a frame killed it). */
  function synced(socket: WebSocket, sync: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`marker ${sync} neither arrived nor closed the socket`)),
        10_000,
      );
      const done = () => {
        clearTimeout(timer);
        markerSeen = undefined;
        socket.off('close', done);
        resolve();
      };
      markerSeen = (readSeq) => {
        if (readSeq === sync) done();
      };
      socket.once('close', done);
      if (socket.readyState === WebSocket.CLOSED) done();
    });
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    legit = await startNode('a');
    target = webSocketTransport(
      {
        ...baseOptions('b'),
        path: '/raft',
        maxFrameBytes: MAX_FRAME_BYTES,
        handshakeTimeoutMs: 1_000,
        peers: { a: legit.url, f: 'ws://127.0.0.1:1' },
      },
      { logger: countingLogger() },
    );
    await target.start((message: Message) => {
      // Keep only what the test looks for, so memory measures the transport, not an inbox.
      // Sync markers carry commit 2^53 - 1, which random frames (practically) never do.
      if (message.type === 'Heartbeat' && message.from === 'f' && message.commit === MARKER) {
        markerSeen?.(message.readSeq);
      }
      if (message.from === 'a') legit.inbox.push(message);
    });
    targetUrl = `ws://127.0.0.1:${target.address()!.port}/raft`;
    legit.transport.setPeers(new Map([['b', targetUrl]]));
  });

  afterAll(async () => {
    await target.stop();
    await legit.transport.stop();
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
  });

  /** Before the handshake: hostile first frames over WebSocket, and raw TCP garbage. */
  async function preHandshake(connections: number, lanes: number): Promise<number> {
    let sent = 0;
    let next = 0;
    const lane = async () => {
      while (next < connections) {
        const i = next++;
        if (i % 8 === 7) {
          await rawTcp();
          continue;
        }
        const socket = new WebSocket(targetUrl, { maxPayload: 64 * 1024 });
        socket.on('error', () => {});
        await new Promise<void>((resolve) => {
          socket.once('open', resolve);
          socket.once('close', () => resolve());
        });
        for (let frame = 1 + fuzz.int(3); frame > 0 && socket.readyState === WebSocket.OPEN; frame--) {
          const { data, binary } = hostileHello();
          socket.send(data, { binary });
          sent++;
        }
        const timer = setTimeout(() => socket.terminate(), 3_000);
        await closed(socket);
        clearTimeout(timer);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return sent;
  }

  /** A first frame that must not get through the handshake. */
  function hostileHello(): { data: Uint8Array | string; binary: boolean } {
    const hello = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      clusterId: 'test-cluster',
      from: 'f',
      to: 'b',
      nonce: newNonce(),
      proof: Buffer.from(fuzz.bytes(32)).toString('base64'),
    } as const;
    switch (fuzz.int(7)) {
      case 0:
        return { data: fuzz.bytes(fuzz.int(300)), binary: true };
      case 1:
        return { data: fuzz.text(200), binary: false };
      case 2: // damaged JSON, possibly invalid UTF-8, in a text frame
        return { data: fuzz.mutate(new TextEncoder().encode(encodeHandshake(hello))), binary: false };
      case 3:
        return {
          data: JSON.stringify({ ...hello, [fuzz.text(6)]: fuzz.text(6), version: fuzz.int(3) }),
          binary: false,
        };
      case 4: // well formed, but the proof is a guess
        return { data: encodeHandshake(hello), binary: false };
      case 5: // data before authenticating
        return { data: fuzz.validFrame('f', 'b'), binary: true };
      default:
        return { data: 'x'.repeat(9_000), binary: false };
    }
  }

  async function rawTcp(): Promise<void> {
    const port = Number(new URL(targetUrl).port);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume(); // read (and discard) the server's answer, or 'close' never comes
    const requests = [
      () => fuzz.bytes(fuzz.int(500)),
      () =>
        `GET ${fuzz.chance(0.5) ? '//' : `/${fuzz.text(10)}`} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n`,
      () =>
        'GET /raft HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${fuzz.text(24)}\r\n\r\n`,
      () => `GET /raft HTTP/1.1\r\n${'X-Long: y\r\n'.repeat(2_000)}\r\n`,
    ];
    socket.end(requests[fuzz.int(requests.length)]!());
    const timer = setTimeout(() => socket.destroy(), 3_000);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearTimeout(timer);
  }

  /** After the handshake: bursts of random valid frames, each burst ending (often) in a mutated one. */
  async function postHandshake(deadline: number): Promise<number> {
    let sent = 0;
    let marker = 0;
    let socket: WebSocket | undefined;
    while (target.stats().framesReceived < TARGET_FRAMES && Date.now() < deadline) {
      if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
        socket = await authenticate(targetUrl, {
          clusterId: 'test-cluster',
          from: 'f',
          to: 'b',
          secret: 'test secret',
        });
        socket.on('error', () => {});
      }
      // A burst of random valid frames with a few damaged ones at random places: the first damaged frame
      // that no longer decodes closes the connection, and what follows it is never examined.
      const burst = 100;
      const damaged = new Set(Array.from({ length: fuzz.int(3) }, () => fuzz.int(burst)));
      for (let i = 0; i < burst; i++) {
        if (!damaged.has(i)) socket.send(fuzz.validFrame('f', 'b'));
        else if (fuzz.chance(0.01)) socket.send(new Uint8Array(MAX_FRAME_BYTES + 1 + fuzz.int(100)));
        else socket.send(fuzz.mutate(fuzz.validFrame('f', 'b')));
      }
      sent += burst;
      marker++;
      const sync = marker;
      const wait = synced(socket, sync);
      socket.send(encodeMessages([{ ...heartbeat('f', 'b', sync), commit: MARKER }]));
      await wait;
    }
    socket?.terminate();
    return sent;
  }

  it('never crashes, never leaks an unhandled rejection, keeps serving a legitimate peer, and stays bounded in memory', async () => {
    const gc = exposeGc();
    legit.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(legit, 1) || legit.inbox.length > 0, { timeoutMs: 5_000 });
    const heapBefore = heapUsed(gc);
    const started = Date.now();

    const preSent = await preHandshake(PRE_HANDSHAKE_CONNECTIONS, 8);
    const postSent = await postHandshake(started + TIME_BUDGET_MS);

    const stats = target.stats();
    const errors = stats.connectionErrors;
    const handshakeFramesRefused =
      errors.RAFT_WS_BAD_HANDSHAKE +
      errors.RAFT_WS_AUTH_FAILED +
      errors.RAFT_WS_WRONG_CLUSTER +
      errors.RAFT_WS_UNKNOWN_PEER;
    const examined = stats.framesReceived + handshakeFramesRefused;
    console.log(
      `fuzz seed ${seed}: ${preSent + postSent} frames sent, ${examined} examined by the node ` +
        `(${handshakeFramesRefused} refused before the handshake, ${stats.framesReceived} after it) in ` +
        `${Date.now() - started} ms; connection errors ${JSON.stringify(errors)}; drops ${JSON.stringify(stats.dropped)}`,
    );
    expect(examined).toBeGreaterThanOrEqual(TARGET_FRAMES);
    expect(handshakeFramesRefused).toBeGreaterThan(1_000);
    expect(errors.RAFT_WS_BAD_FRAME).toBeGreaterThan(0);
    expect(errors.RAFT_WS_FRAME_TOO_LARGE).toBeGreaterThan(0);

    // Still serving: the legitimate peer reaches the node and the node reaches it.
    legit.transport.send([heartbeat('a', 'b', 2)]);
    target.send([heartbeat('b', 'a', 3)]);
    await waitFor(
      () =>
        legit.inbox.some((m) => m.type === 'Heartbeat' && m.readSeq === 2) &&
        legit.inbox.some((m) => m.type === 'Heartbeat' && m.readSeq === 3 && m.from === 'b'),
      { timeoutMs: 5_000 },
    );

    await waitFor(() => target.stats().peers.find((peer) => peer.id === 'f')?.inbound !== true, {
      timeoutMs: 5_000,
    });
    const growth = heapUsed(gc) - heapBefore;
    console.log(
      `heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB (gc ${gc === undefined ? 'unavailable' : 'forced'})`,
    );
    expect(growth).toBeLessThan((gc === undefined ? 256 : 48) * 1024 * 1024);
    expect(crashes).toEqual([]);
  }, 60_000);
});
