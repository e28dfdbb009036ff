import { describe, expect, it } from 'vitest';
import { createPrng } from '../src/simulator/prng.js';
import { createVirtualScheduler, type EventOwner } from '../src/simulator/virtual-scheduler.js';

async function runAll(scheduler: ReturnType<typeof createVirtualScheduler>): Promise<void> {
  while ((await scheduler.step()) !== undefined) {}
}

describe('createPrng', () => {
  it('same seed gives the same stream; another seed another stream (one seed drives a whole run)', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const draw = (prng: ReturnType<typeof createPrng>) => Array.from({ length: 8 }, () => prng.next());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('forks are deterministic and independent of later draws on the parent', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const forkA = a.fork();
    const forkB = b.fork();
    a.next();
    expect(forkA.next()).toBe(forkB.next());
  });
});

describe('createVirtualScheduler', () => {
  it('runs events in (time, sequence) order and advances virtual time to each', async () => {
    const scheduler = createVirtualScheduler();
    const seen: string[] = [];
    scheduler.schedule(10, () => seen.push(`b@${scheduler.now()}`));
    scheduler.schedule(5, () => seen.push(`a@${scheduler.now()}`));
    scheduler.schedule(10, () => seen.push(`c@${scheduler.now()}`));
    await runAll(scheduler);
    expect(seen).toEqual(['a@5', 'b@10', 'c@10']);
  });

  it('drains every promise continuation of an event before the next event runs (no interleaving)', async () => {
    const scheduler = createVirtualScheduler();
    const seen: string[] = [];
    scheduler.schedule(1, () => {
      void (async () => {
        for (let i = 0; i < 50; i++) await Promise.resolve();
        seen.push('first event, deep continuation');
      })();
    });
    scheduler.schedule(1, () => seen.push('second event'));
    await scheduler.step();
    expect(seen).toEqual(['first event, deep continuation']);
    await scheduler.step();
    expect(seen).toEqual(['first event, deep continuation', 'second event']);
  });

  it('a dead owner cancels all its timers at once (a crash kills the node instance timers)', async () => {
    const scheduler = createVirtualScheduler();
    const owner: EventOwner = { name: 'n1#1', alive: true };
    const clock = scheduler.clockFor(owner, 'n1');
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(1), 5);
    clock.setTimeout(() => fired.push(2), 15);
    scheduler.schedule(10, () => {
      owner.alive = false;
    });
    await runAll(scheduler);
    expect(fired).toEqual([1]);
    // A dead owner's clock schedules nothing.
    clock.setTimeout(() => fired.push(3), 1);
    await runAll(scheduler);
    expect(fired).toEqual([1]);
  });

  it('cancel() removes one timer', async () => {
    const scheduler = createVirtualScheduler();
    const fired: string[] = [];
    const timer = scheduler.schedule(5, () => fired.push('cancelled'));
    scheduler.schedule(6, () => fired.push('kept'));
    timer.cancel();
    await runAll(scheduler);
    expect(fired).toEqual(['kept']);
  });

  it('a paused node runs its events at the end of the pause, in their original order', async () => {
    const scheduler = createVirtualScheduler();
    const seen: string[] = [];
    scheduler.pause('n1', 100);
    scheduler.schedule(10, () => seen.push(`n1 a@${scheduler.now()}`), { node: 'n1' });
    scheduler.schedule(20, () => seen.push(`n2@${scheduler.now()}`), { node: 'n2' });
    scheduler.schedule(30, () => seen.push(`n1 b@${scheduler.now()}`), { node: 'n1' });
    await runAll(scheduler);
    expect(seen).toEqual(['n2@20', 'n1 a@100', 'n1 b@100']);
  });
});
