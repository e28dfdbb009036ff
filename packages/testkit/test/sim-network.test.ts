import type { Message, NodeId } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { createPrng } from '../src/simulator/prng.js';
import { createSimulatedNetwork, type NetworkConditions } from '../src/simulator/simulated-network.js';
import { createVirtualScheduler, type EventOwner } from '../src/simulator/virtual-scheduler.js';

function heartbeat(from: NodeId, to: NodeId, term: number): Message {
  return { type: 'Heartbeat', from, to, term, commit: 0, readSeq: 0 };
}

async function setup(conditions: Partial<NetworkConditions> = {}, seed = 1) {
  const scheduler = createVirtualScheduler();
  const network = createSimulatedNetwork({ scheduler, prng: createPrng(seed) });
  network.setConditions(conditions);
  const received = new Map<NodeId, Message[]>();
  const owners = new Map<NodeId, EventOwner>();
  const transports = new Map<NodeId, ReturnType<typeof network.transport>>();
  for (const node of ['a', 'b', 'c']) {
    const owner: EventOwner = { name: node, alive: true };
    owners.set(node, owner);
    const transport = network.transport(node, owner);
    transports.set(node, transport);
    received.set(node, []);
    await transport.start((message) => received.get(node)?.push(message));
  }
  const send = (from: NodeId, to: NodeId, term: number) =>
    transports.get(from)?.send([heartbeat(from, to, term)]);
  const run = async () => {
    while ((await scheduler.step()) !== undefined) {}
  };
  const terms = (node: NodeId) => (received.get(node) ?? []).map((message) => message.term);
  return { scheduler, network, owners, send, run, terms };
}

describe('createSimulatedNetwork', () => {
  it('delivers a copy after a delay and keeps each link FIFO when reorder is off', async () => {
    const sim = await setup({ minDelayMs: 1, maxDelayMs: 50, reorder: false });
    for (let term = 1; term <= 20; term++) sim.send('a', 'b', term);
    await sim.run();
    expect(sim.terms('b')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(sim.scheduler.now()).toBeGreaterThan(0);
  });

  it('reorders messages on a link when reorder is on', async () => {
    const sim = await setup({ minDelayMs: 1, maxDelayMs: 50, reorder: true });
    for (let term = 1; term <= 20; term++) sim.send('a', 'b', term);
    await sim.run();
    const terms = sim.terms('b');
    expect([...terms].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(terms).not.toEqual([...terms].sort((x, y) => x - y));
  });

  it('drops about dropRate of the messages and duplicates about duplicateRate', async () => {
    const sim = await setup({ dropRate: 0.3, duplicateRate: 0.2 });
    for (let term = 1; term <= 1000; term++) sim.send('a', 'b', term);
    await sim.run();
    const stats = sim.network.stats();
    expect(stats.dropped).toBeGreaterThan(200);
    expect(stats.dropped).toBeLessThan(400);
    expect(stats.duplicated).toBeGreaterThan(80);
    const terms = sim.terms('b');
    expect(new Set(terms).size).toBeLessThan(terms.length);
  });

  it('a symmetric partition cuts both directions between groups, including messages in flight', async () => {
    const sim = await setup();
    sim.send('a', 'c', 1);
    sim.network.partition([['a', 'b'], ['c']]);
    sim.send('c', 'a', 2);
    sim.send('a', 'b', 3);
    await sim.run();
    expect(sim.terms('c')).toEqual([]);
    expect(sim.terms('a')).toEqual([]);
    expect(sim.terms('b')).toEqual([3]);
  });

  it('an asymmetric cut blocks one direction only', async () => {
    const sim = await setup();
    sim.network.cutLink('a', 'b');
    sim.send('a', 'b', 1);
    sim.send('b', 'a', 2);
    await sim.run();
    expect(sim.terms('b')).toEqual([]);
    expect(sim.terms('a')).toEqual([2]);
  });

  it('a partial partition cuts a node from some peers but not others; heal restores every link', async () => {
    const sim = await setup();
    sim.network.isolateFrom('a', ['b']);
    sim.send('a', 'b', 1);
    sim.send('a', 'c', 2);
    sim.send('b', 'c', 3);
    await sim.run();
    expect(sim.terms('b')).toEqual([]);
    expect(sim.terms('c')).toEqual([2, 3]);
    sim.network.heal();
    sim.send('a', 'b', 4);
    await sim.run();
    expect(sim.terms('b')).toEqual([4]);
  });

  it('loses messages to a crashed node and the in-flight messages of a crashed sender', async () => {
    const sim = await setup();
    sim.send('a', 'b', 1);
    sim.send('c', 'a', 2);
    (sim.owners.get('a') as EventOwner).alive = false;
    await sim.run();
    expect(sim.terms('b')).toEqual([]);
    expect(sim.terms('a')).toEqual([]);
  });

  it('the receiver never shares objects with the sender', async () => {
    const scheduler = createVirtualScheduler();
    const network = createSimulatedNetwork({ scheduler, prng: createPrng(1) });
    const got: Message[] = [];
    await network.transport('b', { name: 'b', alive: true }).start((message) => got.push(message));
    const data = new Uint8Array([1, 2, 3]);
    const sent: Message = {
      type: 'AppendEntries',
      from: 'a',
      to: 'b',
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [{ index: 1, term: 1, type: 'normal', data }],
      leaderCommit: 0,
    };
    network.transport('a', { name: 'a', alive: true }).send([sent]);
    data[0] = 9;
    while ((await scheduler.step()) !== undefined) {}
    const delivered = got[0];
    expect(delivered?.type === 'AppendEntries' && [...(delivered.entries[0]?.data ?? [])]).toEqual([1, 2, 3]);
  });
});
