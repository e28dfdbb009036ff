import { afterAll, expect, it } from 'vitest';
import { runFencedCounterExample } from '../examples/fenced-counter.js';
import type { FencedStore } from '../examples/fenced-store.js';
import { runningCluster } from './support/lock-cluster.js';

let cleanup: (() => Promise<void>) | undefined;
let store: FencedStore | undefined;

afterAll(async () => {
  await store?.close();
  await cleanup?.();
});

it('the worked example: concurrent workers increment a fenced counter under one lock and no increment is lost', async () => {
  const started = await runningCluster('example', 3);
  cleanup = started.cleanup;
  const result = await runFencedCounterExample(started.urls, 4, 5);
  store = result.store;
  expect(result.counter).toBe(20);
  expect(store.refused()).toBe(0);
});
