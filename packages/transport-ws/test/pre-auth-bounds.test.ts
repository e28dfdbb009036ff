import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PRE_AUTH_BYTES } from '../src/inbound-connection.js';
import { connectAll, DEADLINE, heartbeat, received, startedNodes } from './node-harness.js';
import { closed, openRaw } from './raw-peer.js';

let sockets: Socket[] = [];

const start = startedNodes();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
});

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

function isClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    socket.on('error', () => {});
    socket.once('close', () => resolve());
  });
}

/** A raw TCP socket that completed a WebSocket upgrade and will write its own (masked) frames. */
async function upgraded(port: number): Promise<Socket> {
  const socket = await tcp(port);
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (data: Buffer) =>
      data.toString('latin1').startsWith('HTTP/1.1 101') ? resolve() : reject(new Error('no upgrade')),
    );
  });
  return socket;
}

/** The header of a masked client text frame announcing `length` payload bytes. */
function textFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81; // FIN, text
  header[1] = 0x80 | 127; // masked, 64-bit length
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}

describe('pre-authentication memory bound', () => {
  it(`a client that has not authenticated is cut after ${MAX_PRE_AUTH_BYTES} bytes, whatever frame length it announces`, async () => {
    // Frames up to 4 MiB are allowed after authentication; the handshake deadline is far away.
    const b = await start('b', { maxFrameBytes: 4 * 1024 * 1024, handshakeTimeoutMs: 20_000 });
    const socket = await upgraded(b.transport.address()!.port);
    const gone = isClosed(socket);
    // A hello frame that claims 3 MiB, then its payload in 16 KiB pieces: `ws` would buffer it all.
    socket.write(textFrameHeader(3 * 1024 * 1024));
    let sent = 0;
    let cut = false;
    void gone.then(() => {
      cut = true;
    });
    while (!cut && sent < 3 * 1024 * 1024) {
      await new Promise<void>((resolve) => socket.write(Buffer.alloc(16 * 1024), () => resolve()));
      sent += 16 * 1024;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await gone;
    // Cut long before the frame was complete and long before the handshake deadline.
    expect(sent).toBeLessThan(1024 * 1024);
    const line = b.logger.lines.find((entry) => entry.details['limit'] === MAX_PRE_AUTH_BYTES);
    expect(line?.details).toMatchObject({ code: 'RAFT_WS_BAD_HANDSHAKE' });
    expect(line!.details['bytes'] as number).toBeGreaterThan(MAX_PRE_AUTH_BYTES);
  });

  it('the byte count ends at authentication: an authenticated peer sends far more than the pre-auth limit', async () => {
    const [a, b] = [await start('a'), await start('b')];
    connectAll([a, b]);
    const big = {
      type: 'AppendEntries' as const,
      from: 'a',
      to: 'b',
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      leaderCommit: 0,
      entries: [{ index: 1, term: 1, type: 'normal' as const, data: new Uint8Array(8 * MAX_PRE_AUTH_BYTES) }],
    };
    a.transport.send([big, heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
    expect(b.inbox.some((message) => message.type === 'AppendEntries')).toBe(true);
    expect(b.transport.stats().connectionErrors.RAFT_WS_BAD_HANDSHAKE).toBe(0);
  });

  it('maxPendingHandshakes counts connections still before their upgrade too; the node serves again once they go', async () => {
    const b = await start('b', { maxPendingHandshakes: 4, handshakeTimeoutMs: 20_000 });
    const port = b.transport.address()!.port;
    // Two silent TCP connections (no upgrade request yet) and two upgraded, unauthenticated ones.
    const idle = [await tcp(port), await tcp(port)];
    const silent = [(await openRaw(b.url)).socket, (await openRaw(b.url)).socket];
    const refused = await tcp(port);
    await isClosed(refused);
    await expect(openRaw(b.url)).rejects.toThrow();
    expect(b.transport.stats().connectionErrors.RAFT_WS_TOO_MANY_HANDSHAKES).toBe(2);
    for (const socket of idle) socket.destroy();
    for (const socket of silent) socket.terminate();
    await Promise.all(silent.map(closed));
    // The slots are free again: a legitimate peer authenticates and is heard.
    const a = await start('a');
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => received(b, 1), DEADLINE);
  });
});
