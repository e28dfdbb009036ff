import { type CommittedEntry, createRaftNode, memoryNetwork, type RaftNode } from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';
import { afterAll, expect, it } from 'vitest';
import { type LevelStorage, openLevelStorage } from '../src/index.js';
import { TempDirectories } from './temp-directories.js';

// The package in its real role: the storage of RaftNodes. A cluster commits writes, every node stops
// and closes its store, and a cluster started again from the same directories knows every committed
// write (re-applied from the log) and keeps taking new ones.
const directories = new TempDirectories();
afterAll(() => directories.removeAll());

const members = ['a', 'b', 'c'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Member {
  readonly node: RaftNode<number>;
  readonly storage: LevelStorage;
  readonly applied: string[];
}

async function startCluster(directoryOf: Map<string, string>): Promise<Member[]> {
  const network = memoryNetwork();
  const cluster = await Promise.all(
    members.map(async (id) => {
      const storage = await openLevelStorage({ directory: directoryOf.get(id)! });
      const applied: string[] = [];
      const node = createRaftNode({
        id,
        storage,
        transport: network.transport(id),
        tickMs: 10,
        initialMembers: members,
        stateMachine: {
          apply: (entries: readonly CommittedEntry[]) =>
            entries.map((entry) => {
              if (entry.data.length > 0) applied.push(decoder.decode(entry.data));
              return entry.index;
            }),
        },
      });
      return { node, storage, applied };
    }),
  );
  await Promise.all(cluster.map((member) => member.node.start()));
  await waitFor(() => cluster.some((member) => member.node.status().role === 'leader'), {
    timeoutMs: 10_000,
  });
  return cluster;
}

async function stopCluster(cluster: readonly Member[]): Promise<void> {
  await Promise.all(cluster.map((member) => member.node.stop()));
  await Promise.all(cluster.map((member) => member.storage.close()));
}

it('a cluster on LevelStorage keeps every committed write across a full restart', async () => {
  const directoryOf = new Map(members.map((id) => [id, directories.makeMissing(`node-${id}`)]));
  const first = await startCluster(directoryOf);
  for (const word of ['one', 'two', 'three']) await first[0]!.node.propose(encoder.encode(word));
  await waitFor(() => first.every((member) => member.applied.length === 3), { timeoutMs: 10_000 });
  await stopCluster(first);

  const second = await startCluster(directoryOf);
  try {
    await second[1]!.node.propose(encoder.encode('four'));
    await waitFor(() => second.every((member) => member.applied.length === 4), { timeoutMs: 10_000 });
    for (const member of second) expect(member.applied).toEqual(['one', 'two', 'three', 'four']);
  } finally {
    await stopCluster(second);
  }
}, 30_000);
