// A three-node cluster in one process: in-memory storage and network, a tiny key-value state machine.
// Run: pnpm --filter @raft/core build && node packages/core/examples/three-nodes.mjs
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';

const network = memoryNetwork();
const members = ['a', 'b', 'c'];
const stores = members.map(() => new Map());

const nodes = members.map((id, i) =>
  createRaftNode({
    id,
    storage: memoryStorage(),
    transport: network.transport(id),
    tickMs: 20,
    initialMembers: members,
    stateMachine: {
      // Deterministic: the same entries in the same order give the same state on every node.
      apply(entries) {
        return entries.map((entry) => {
          const [key, value] = JSON.parse(new TextDecoder().decode(entry.data));
          stores[i].set(key, value);
          return entry.index; // the revision of this write
        });
      },
    },
  }),
);

await Promise.all(nodes.map((node) => node.start()));
const deadline = Date.now() + 5000;
while (!nodes.some((node) => node.status().role === 'leader')) {
  if (Date.now() > deadline) throw new Error('no leader elected');
  await new Promise((resolve) => setTimeout(resolve, 20));
}

// Any node accepts a proposal: followers forward it to the leader.
const revision = await nodes[2].propose(new TextEncoder().encode(JSON.stringify(['greeting', 'hello'])));
// A linearizable read barrier on a follower, then read its local state.
await nodes[1].read();
console.log(`revision ${revision}; node b reads greeting = ${stores[1].get('greeting')}`);

await Promise.all(nodes.map((node) => node.stop()));
