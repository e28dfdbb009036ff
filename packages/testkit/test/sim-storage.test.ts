import type { Entry } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { createSimulatedDisk, simulatedStorage } from '../src/simulator/simulated-storage.js';
import { createVirtualScheduler, type EventOwner } from '../src/simulator/virtual-scheduler.js';

const entry = (index: number, term: number): Entry => ({
  index,
  term,
  type: 'normal',
  data: new Uint8Array([index]),
});

function setup(ackBeforeDurable = false) {
  const scheduler = createVirtualScheduler();
  const disk = createSimulatedDisk();
  const open = (name: string, latency = 10) => {
    const owner: EventOwner = { name, alive: true };
    const storage = simulatedStorage({
      disk,
      scheduler,
      owner,
      node: 'n1',
      latencyMs: () => latency,
      ackBeforeDurable,
    });
    return { owner, storage };
  };
  const run = async () => {
    while ((await scheduler.step()) !== undefined) {}
  };
  return { scheduler, disk, open, run };
}

describe('simulatedStorage', () => {
  it('persist resolves only after the virtual disk latency, when the write is durable', async () => {
    const sim = setup();
    const { storage } = sim.open('n1#1', 25);
    let done = -1;
    void storage
      .persist({ hardState: { term: 2, vote: 'n1', commit: 0 }, entries: [entry(1, 2)] })
      .then(() => {
        done = sim.scheduler.now();
      });
    expect(await storage.lastIndex()).toBe(1);
    expect(sim.disk.image.load().entries).toEqual([]);
    await sim.run();
    expect(done).toBe(25);
    expect(sim.disk.image.load().entries.map((e) => e.index)).toEqual([1]);
    expect(sim.disk.image.hardState.term).toBe(2);
  });

  it('a crash loses writes that were not durable yet; a restart sees only the durable state', async () => {
    const sim = setup();
    const first = sim.open('n1#1');
    void first.storage.persist({ entries: [entry(1, 1)] });
    await sim.run();
    let resolved = false;
    void first.storage
      .persist({ hardState: { term: 3, vote: 'n2', commit: 1 }, entries: [entry(2, 3)] })
      .then(() => {
        resolved = true;
      });
    first.owner.alive = false;
    await sim.run();
    expect(resolved).toBe(false);
    const second = sim.open('n1#2');
    const state = await second.storage.load();
    expect(state.entries.map((e) => e.index)).toEqual([1]);
    expect(state.hardState.term).toBe(0);
  });

  it('completes writes in issue order and replaces a conflicting suffix (Raft §5.3)', async () => {
    const sim = setup();
    const { storage } = sim.open('n1#1');
    const order: number[] = [];
    void storage.persist({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] }).then(() => order.push(1));
    void storage.persist({ entries: [entry(2, 2)] }).then(() => order.push(2));
    await sim.run();
    expect(order).toEqual([1, 2]);
    expect(sim.disk.image.load().entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2']);
    expect((await storage.entries(1, 3)).map((e) => e.term)).toEqual([1, 2]);
    await expect(storage.entries(1, 4)).rejects.toMatchObject({ code: 'RAFT_STORAGE_RANGE' });
  });

  it('the deliberately broken mode acknowledges before durability, so a crash loses acknowledged data', async () => {
    const sim = setup(true);
    const first = sim.open('n1#1');
    await first.storage.persist({ entries: [entry(1, 1)] });
    first.owner.alive = false;
    await sim.run();
    expect((await sim.open('n1#2').storage.load()).entries).toEqual([]);
  });
});
