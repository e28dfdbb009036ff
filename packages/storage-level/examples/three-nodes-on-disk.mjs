// Three Raft nodes in one process, each with its own LevelDB directory. Run it twice: the second run
// starts from what the first one persisted and finds its writes again.
// Run: pnpm --filter @raft/storage-level... build && node packages/storage-level/examples/three-nodes-on-disk.mjs
import { join } from 'node:path';
import { createRaftNode, memoryNetwork } from '@raft/core';
import { openLevelStorage } from '@raft/storage-level';

const dataDirectory = process.argv[2] ?? join(process.cwd(), '.data', 'three-nodes');
const members = ['a', 'b', 'c'];
const network = memoryNetwork(); // in a real deployment: @raft/transport-ws

const nodes = [];
const storages = [];
for (const id of members) {
  // One directory per node. A second process opening it gets StorageLockedError (RAFT_STORAGE_LOCKED).
  const storage = await openLevelStorage({ directory: join(dataDirectory, id) });
  storages.push(storage);
  const log = [];
  nodes.push({
    log,
    node: createRaftNode({
      id,
      storage,
      transport: network.transport(id),
      tickMs: 20,
      initialMembers: members, // used only while the storage is empty
      stateMachine: {
        // Committed entries are applied again from the log after a restart.
        apply(entries) {
          for (const entry of entries) if (entry.data.length > 0) log.push(entry.index);
          return entries.map((entry) => entry.index);
        },
      },
    }),
  });
}

await Promise.all(nodes.map(({ node }) => node.start()));
const deadline = Date.now() + 5000;
while (!nodes.some(({ node }) => node.status().role === 'leader')) {
  if (Date.now() > deadline) throw new Error('no leader elected');
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const index = await nodes[0].node.propose(new TextEncoder().encode(`written at ${new Date().toISOString()}`));
console.log(
  `committed at index ${index}; node a has applied ${nodes[0].log.length} writes in ${dataDirectory}`,
);

await Promise.all(nodes.map(({ node }) => node.stop()));
await Promise.all(storages.map((storage) => storage.close())); // stop() leaves the storage to its owner
