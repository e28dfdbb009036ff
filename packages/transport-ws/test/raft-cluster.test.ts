import type { Server } from 'node:http';
import { createRaftNode, memoryStorage, type RaftNode } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { webSocketTransport } from '../src/index.js';
import { capturingLogger } from './capturing-logger.js';
import { closeServer, listenOnLoopback, wsUrl } from './loopback-server.js';

let nodes: RaftNode<number>[] = [];
let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(servers.map(closeServer));
  nodes = [];
  servers = [];
});

describe('a Raft cluster over the WebSocket transport (the README example)', () => {
  it('elects a leader and commits a proposal made on a follower', async () => {
    const members = ['n1', 'n2', 'n3'];
    servers = await Promise.all(members.map(() => listenOnLoopback()));
    const peers = new Map(members.map((id, i) => [id, wsUrl(servers[i]!)]));
    nodes = members.map((id, i) =>
      createRaftNode<number>({
        id,
        storage: memoryStorage(),
        transport: webSocketTransport(
          { id, server: servers[i]!, peers, clusterId: 'readme', secret: 'a long random cluster secret' },
          { logger: capturingLogger() },
        ),
        tickMs: 10,
        initialMembers: members,
        stateMachine: { apply: (entries) => entries.map((entry) => entry.index) },
      }),
    );
    await Promise.all(nodes.map((node) => node.start()));
    await waitFor(() => nodes.some((node) => node.status().role === 'leader'), { timeoutMs: 10_000 });
    const follower = nodes.find((node) => node.status().role !== 'leader')!;
    const index = await follower.propose(new TextEncoder().encode('hello'));
    expect(index).toBeGreaterThan(0);
  });
});
