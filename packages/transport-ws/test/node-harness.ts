// Test support: transports on ephemeral loopback ports with an inbox and a capturing logger each.
import type { Heartbeat, Message, NodeId } from '@raft/core';
import { afterEach } from 'vitest';
import {
  type WebSocketTransport,
  type WebSocketTransportComponents,
  type WebSocketTransportOptions,
  webSocketTransport,
} from '../src/index.js';
import { type CapturingLogger, capturingLogger } from './capturing-logger.js';

export interface TestNode {
  readonly id: NodeId;
  readonly transport: WebSocketTransport;
  readonly inbox: Message[];
  readonly logger: CapturingLogger;
  /** The `ws://` (or `wss://`) URL peers dial. */
  readonly url: string;
}

export type NodeOverrides = Partial<Omit<WebSocketTransportOptions, 'id'>>;

/** Options every test node starts from: loopback, a shared secret, fast reconnection. */
export function baseOptions(id: NodeId): WebSocketTransportOptions {
  return {
    id,
    listen: { host: '127.0.0.1', port: 0 },
    clusterId: 'test-cluster',
    secret: 'test secret',
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  };
}

/** Deadline of waits on real sockets and timers: generous, since they lag on a loaded CI machine. */
export const DEADLINE = { timeoutMs: 15_000 };

/**
 * A `start` function for one test file: each node it starts is stopped after the test that started
 * it (registers a vitest `afterEach`, so call it at the top level of the file).
 */
export function startedNodes(): (
  id: NodeId,
  overrides?: NodeOverrides,
  components?: WebSocketTransportComponents,
) => Promise<TestNode> {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    const started = nodes;
    nodes = [];
    await stopAll(started);
  });
  return async (id, overrides = {}, components = {}) => {
    const node = await startNode(id, overrides, components);
    nodes.push(node);
    return node;
  };
}

/** Starts a transport for `id` on a free loopback port. */
export async function startNode(
  id: NodeId,
  overrides: NodeOverrides = {},
  components: WebSocketTransportComponents = {},
): Promise<TestNode> {
  const logger = capturingLogger();
  const options: WebSocketTransportOptions = { ...baseOptions(id), ...overrides };
  if (overrides.insecure === true && overrides.secret === undefined) {
    // An insecure node has no secret at all, not the default one.
    delete (options as { secret?: unknown }).secret;
  }
  const transport = webSocketTransport(options, { logger, ...components });
  const inbox: Message[] = [];
  await transport.start((message) => {
    inbox.push(message);
  });
  const scheme = overrides.tls === undefined ? 'ws' : 'wss';
  return { id, transport, inbox, logger, url: `${scheme}://127.0.0.1:${transport.address()!.port}` };
}

/** Gives every node the address of every other. */
export function connectAll(nodes: readonly TestNode[]): void {
  const book = new Map(nodes.map((node) => [node.id, node.url]));
  for (const node of nodes) node.transport.setPeers(book);
}

export async function stopAll(nodes: readonly TestNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.transport.stop()));
}

export function heartbeat(from: NodeId, to: NodeId, readSeq: number): Heartbeat {
  return { type: 'Heartbeat', from, to, term: 1, commit: 0, readSeq };
}

/** Whether `node` received the heartbeat with `readSeq`. */
export function received(node: TestNode, readSeq: number): boolean {
  return node.inbox.some((message) => message.type === 'Heartbeat' && message.readSeq === readSeq);
}
