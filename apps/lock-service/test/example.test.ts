import type { ProcessCluster } from '@raft/service';
import { afterAll, expect, it } from 'vitest';
import { runFencedCounterExample } from '../examples/fenced-counter.js';
import type { FencedStore } from '../examples/fenced-store.js';
import { lockCluster } from './support/lock-cluster.js';

let cluster: ProcessCluster | undefined;
let cleanup: (() => Promise<void>) | undefined;
let store: FencedStore | undefined;

afterAll(async () => {
  await store?.close();
  await cleanup?.();
});

it('the worked example: concurrent workers increment a fenced counter under one lock and no increment is lost', async () => {
  ({ cluster, cleanup } = await lockCluster('example', 3));
  await cluster.startAll();
  await cluster.waitForLeader();
  const result = await runFencedCounterExample(
    cluster.ids.map((id) => cluster!.url(id)),
    4,
    5,
  );
  store = result.store;
  expect(result.counter).toBe(20);
  expect(store.refused()).toBe(0);
});
