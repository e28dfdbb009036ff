// Grow a running 3-node cluster to 5 nodes while it keeps taking writes, through the join protocol.
// Everything runs in one process (in-memory storage and network, and a Map standing in for HTTP), on
// real time. Run after a build: `node examples/grow-cluster.mjs`. The package's tests run it too.
import { pathToFileURL } from 'node:url';
import { createRaftNode, memoryNetwork, memoryStorage } from '@raft/core';
import { createJoinHandler, createMembership, requestJoin } from '@raft/membership';

/** @typedef {import('@raft/core').RaftNode<number>} Node */
/** @typedef {import('@raft/membership').JoinRequest} JoinRequest */
/** @typedef {import('@raft/membership').JoinHandler} JoinHandler */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A tiny state machine: a list of strings, with snapshots so newcomers can catch up from one. */
function listStateMachine() {
  /** @type {string[]} */
  const values = [];
  return {
    values,
    /** @param {readonly import('@raft/core').CommittedEntry[]} entries */
    apply: (entries) =>
      entries.map((entry) => {
        values.push(decoder.decode(entry.data));
        return entry.index;
      }),
    async *snapshot() {
      yield encoder.encode(JSON.stringify(values));
    },
    /** @param {AsyncIterable<Uint8Array>} chunks */
    async restore(chunks) {
      let text = '';
      for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
      values.splice(0, values.length, ...JSON.parse(text));
    },
  };
}

/**
 * Resolves once `condition()` holds; polls every 5 ms and gives up after `withinMs`.
 * @param {() => boolean} condition
 * @param {number} withinMs
 * @param {string} what
 */
async function waitFor(condition, withinMs, what) {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The walkthrough. Returns the final configuration, the write counts before and after the joins and
 * every node's state machine, so a test can check it.
 */
export async function growCluster({ log = console.log, tickMs = 10 } = {}) {
  const network = memoryNetwork();
  /** @type {Map<string, Node>} */
  const nodes = new Map();
  /** @type {Map<string, ReturnType<typeof listStateMachine>>} */
  const stateMachines = new Map();
  /**
   * @param {string} id
   * @param {string[]} [initialMembers]
   */
  const startNode = async (id, initialMembers) => {
    const stateMachine = listStateMachine();
    const node = createRaftNode({
      id,
      storage: memoryStorage(),
      transport: network.transport(id),
      stateMachine,
      tickMs,
      // Founders bootstrap the cluster; a joiner passes none and waits to be contacted.
      ...(initialMembers === undefined ? {} : { initialMembers }),
      // Small numbers so this short demo compacts its log and newcomers receive a snapshot.
      snapshot: { everyEntries: 50, keepEntries: 10 },
    });
    await node.start();
    nodes.set(id, node);
    stateMachines.set(id, stateMachine);
    return node;
  };

  // 1. A running 3-node cluster.
  const founders = ['a', 'b', 'c'];
  const [a] = await Promise.all(founders.map((id) => startNode(id, founders)));
  a?.campaign();
  await waitFor(() => a?.status().role === 'leader', 5_000, 'a to lead');
  log('cluster a, b, c is up; a leads');

  // 2. Writes keep coming the whole time, to whichever node leads.
  let writing = true;
  let committed = 0;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const leader = [...nodes.values()].find((node) => node.status().role === 'leader');
      await leader
        ?.propose(encoder.encode(`write ${i}`))
        .then(() => committed++)
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  await waitFor(() => committed >= 100, 10_000, '100 writes');

  // 3. Every member serves the join endpoint. Over HTTP this is a POST route calling `handler(body)`;
  //    here a Map of contacts stands in for the network, and JSON for the wire.
  /** @param {string} id */
  const contactOf = (id) => `http://${id}.example:8080/join`;
  /** @type {Map<string, JoinHandler>} */
  const handlers = new Map();
  for (const [id, node] of nodes) {
    const membership = createMembership(node, { catchUpMaxLagEntries: 20 });
    handlers.set(contactOf(id), createJoinHandler(membership, { contactOf }));
  }
  /**
   * @param {string} contact
   * @param {JoinRequest} request
   */
  const send = async (contact, request) => {
    const handler = handlers.get(contact);
    if (handler === undefined) throw new Error(`cannot reach ${contact}`);
    return JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(request)))));
  };

  const committedBeforeJoins = committed;
  // 4. Two new nodes: started FIRST, with empty storage and no initial members, then they ask to join.
  //    They only know one contact, a follower; it redirects them to the leader, which adds each as a
  //    learner, waits until it has caught up (from a snapshot) and promotes it.
  const joined = await Promise.all(
    ['d', 'e'].map(async (id) => {
      await startNode(id);
      const config = await requestJoin({
        id,
        address: `mem://${id}`,
        contacts: [contactOf('b')],
        send,
        deadlineMs: 30_000,
      });
      log(`${id} joined; voters are now ${config.voters.join(', ')}`);
      return config;
    }),
  );
  const committedWhileGrowing = committed;

  writing = false;
  await writer;
  const leader = [...nodes.values()].find((node) => node.status().role === 'leader');
  if (leader === undefined) throw new Error('no leader at the end');
  const config = leader.status().config;
  log(`final voters: ${config.voters.join(', ')} (${committedWhileGrowing} writes committed by then)`);
  await Promise.all([...nodes.values()].map((node) => node.stop()));
  return { config, joined, committedBeforeJoins, committedWhileGrowing, stateMachines };
}

// Run as a script (not when a test imports it).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await growCluster();
