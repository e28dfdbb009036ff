import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Resolves with the order in which `defer`'s callback ran relative to work queued around it. */
async function deferOrder(): Promise<string[]> {
  const clock = systemClock();
  const order: string[] = [];
  const done = new Promise<void>((resolve) => {
    setImmediate(() => order.push('immediate queued before'));
    clock.defer?.(() => {
      order.push('deferred');
      resolve();
    });
    void Promise.resolve().then(() => order.push('microtask'));
    order.push('synchronous');
  });
  await done;
  return order;
}

/** A systemClock made while the runtime had no setImmediate: its `defer` runs on a MessageChannel. */
function channelClock() {
  const realSetImmediate = setImmediate;
  vi.stubGlobal('setImmediate', undefined);
  const clock = systemClock();
  vi.stubGlobal('setImmediate', realSetImmediate);
  return clock;
}

describe('systemClock().defer', () => {
  it('runs after the current callback, its microtasks and the callbacks already due', async () => {
    expect(systemClock().defer).toBeTypeOf('function');
    expect(await deferOrder()).toEqual(['synchronous', 'microtask', 'immediate queued before', 'deferred']);
  });

  it('uses a MessageChannel where there is no setImmediate, running queued callbacks in order', async () => {
    const clock = channelClock();
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      clock.defer?.(() => order.push(1));
      clock.defer?.(() => order.push(2));
      clock.defer?.(() => {
        order.push(3);
        resolve();
      });
      expect(order).toEqual([]);
    });
    expect(order).toEqual([1, 2, 3]);
  });

  it('on a MessageChannel, a callback that throws is reported and the ones after it still run', async () => {
    const clock = channelClock();
    const reported: unknown[] = [];
    const ran: string[] = [];
    await new Promise<void>((resolve) => {
      clock.defer?.(() => {
        // Captures the report (a timer that rethrows) instead of letting it reach the test runner.
        vi.stubGlobal('setTimeout', (callback: () => void) => {
          try {
            callback();
          } catch (error) {
            reported.push(error);
          }
        });
        throw new Error('boom');
      });
      clock.defer?.(() => {
        ran.push('after');
        resolve();
      });
    });
    expect(ran).toEqual(['after']);
    expect(reported).toEqual([new Error('boom')]);
  });

  it('is absent where the runtime has neither', () => {
    vi.stubGlobal('setImmediate', undefined);
    vi.stubGlobal('MessageChannel', undefined);
    expect(systemClock().defer).toBeUndefined();
  });
});
