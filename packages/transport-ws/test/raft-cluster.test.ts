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
    // Every node knows the same leader: the election's messages and the heartbeats crossed the sockets.
    await waitFor(
      () => {
        const leaders = nodes.map((node) => node.status().leader);
        return leaders[0] !== '' && leaders.every((leader) => leader === leaders[0]);
      },
      { timeoutMs: 10_000 },
    );
    // On a loaded machine a timer can fire late enough for a re-election: retry while no leader is known.
    let index = 0;
    await waitFor(
      async () => {
        const follower = nodes.find((node) => node.status().role !== 'leader')!;
        try {
          index = await follower.propose(new TextEncoder().encode('hello'));
          return true;
        } catch (error) {
          if ((error as { code?: string }).code === 'RAFT_NOT_LEADER') return false;
          throw error;
        }
      },
      { timeoutMs: 10_000 },
    );
    expect(index).toBeGreaterThan(0);
  });
});
