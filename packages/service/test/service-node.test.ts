import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommittedEntry, StateMachine } from '@raft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sendJson } from '../src/http-service.js';
import { createJsonLogger } from '../src/json-logger.js';
import { freePort, waitUntil } from '../src/process-cluster.js';
import { proposeCommand } from '../src/raft-requests.js';
import { type AnnouncedAddresses, type ServiceNode, startServiceNode } from '../src/service-node.js';
import { resolveServiceConfig } from '../src/service-settings.js';

// The smallest service: a replicated counter with one route, and member announcements (the README example).

class CounterMachine implements StateMachine<number> {
  count = 0;
  readonly members = new Map<string, AnnouncedAddresses>();
  apply(entries: readonly CommittedEntry[]): number[] {
    return entries.map((entry) => {
      const command = JSON.parse(new TextDecoder().decode(entry.data)) as
        | { op: 'add' }
        | { op: 'announce'; member: string; clientUrl: string; peerUrl: string };
      if (command.op === 'announce') this.members.set(command.member, command);
      else this.count++;
      return this.count;
    });
  }
}

let root: string | undefined;
let service: ServiceNode<number> | undefined;

afterAll(async () => {
  await service?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('startServiceNode', () => {
  it('serves the routes of the service and the ops routes, names the leader on every response, announces its URL, and closes', async () => {
    root = await mkdtemp(join(tmpdir(), 'raft-service-node-'));
    const peerPort = await freePort();
    const config = resolveServiceConfig(
      new Map([
        ['id', 'n1'],
        ['data-dir', join(root, 'n1')],
        ['client-listen', '127.0.0.1:0'],
        ['peer-listen', `127.0.0.1:${peerPort}`],
        ['peers', `n1=ws://127.0.0.1:${peerPort}`],
        ['cluster-secret', 'secret'],
        ['cluster-id', 'counter'],
        ['snapshot-every', '1000'],
        ['log-level', 'error'],
        ['tick-ms', '20'],
        ['election-ticks', '5'],
        ['request-timeout-ms', '2000'],
      ]),
    );
    const counter = new CounterMachine();
    const encode = (command: object) => new TextEncoder().encode(JSON.stringify(command));
    let closed = false;
    service = await startServiceNode<number>({
      config,
      stateMachine: counter,
      logger: createJsonLogger('error', () => {}),
      onFatalError: () => {},
      routes: ({ node }) => [
        {
          path: '/add',
          methods: {
            POST: async ({ response }) =>
              sendJson(response, 200, { count: await proposeCommand(node, encode({ op: 'add' }), 2_000) }),
          },
        },
      ],
      members: () => counter.members,
      announceCommand: (member, addresses) => encode({ op: 'announce', member, ...addresses }),
      onClose: () => {
        closed = true;
      },
    });
    const base = service.clientUrl;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await waitUntil('leader', async () => (await fetch(`${base}/readyz`)).status === 200, {
      timeoutMs: 5_000,
    });
    const added = await fetch(`${base}/add`, { method: 'POST' });
    expect(added.headers.get('raft-leader')).toBe('n1');
    expect(((await added.json()) as { count: number }).count).toBe(1);
    await waitUntil('announced', () => counter.members.get('n1')?.clientUrl === base, { timeoutMs: 5_000 });
    const cluster = (await (await fetch(`${base}/cluster`)).json()) as { members: { clientUrl: string }[] };
    expect(cluster.members[0]!.clientUrl).toBe(base);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    await service.close();
    expect(closed).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
