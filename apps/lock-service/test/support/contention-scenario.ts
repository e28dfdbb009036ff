import type { ProcessCluster } from '@raft/service';
import { afterAll, expect } from 'vitest';
import { type FencedStore, startFencedStore } from '../../examples/fenced-store.js';
import { Contenders, checkLockRules, summary } from './contenders.js';
import { runningCluster } from './lock-cluster.js';
import { testSeed } from './seeded-random.js';

/** What a fault test works with: the cluster, its URLs and leader, the fenced store and the contenders. */
export interface Contention {
  readonly cluster: ProcessCluster;
  readonly urls: readonly string[];
  readonly leader: string;
  readonly store: FencedStore;
  readonly contenders: Contenders;
  /** Stops the clients, logs the summary and expects every rule of {@link checkLockRules} to hold. */
  finish(): Promise<void>;
}

/**
 * Registers the teardown of a fault test file (processes, store, clients; also after a failure) and
 * returns how to start it: a three-node cluster, a fenced store, and clients contending for two locks.
 */
export function contentionScenario(
  name: string,
): (options: {
  readonly args?: readonly string[];
  readonly clients: number;
  readonly ttlMs: number;
  readonly beforeClients?: (urls: readonly string[]) => Promise<void>;
}) => Promise<Contention> {
  const seed = testSeed();
  const teardown: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of teardown.reverse()) await step();
  });
  return async (options) => {
    console.log(`${name} seed ${seed} (replay the client mix with RAFT_LOCKS_TEST_SEED=${seed})`);
    const { cluster, cleanup, leader, urls } = await runningCluster(name, 3, options.args);
    teardown.push(cleanup);
    const store = await startFencedStore();
    teardown.push(() => store.close());
    await options.beforeClients?.(urls);
    const contenders = new Contenders({
      urls,
      locks: ['alpha', 'beta'],
      clients: options.clients,
      seed,
      ttlMs: options.ttlMs,
      waitMs: 6_000,
      storeUrl: store.url,
    });
    teardown.push(() => contenders.stop());
    return {
      cluster,
      urls,
      leader,
      store,
      contenders,
      finish: async () => {
        await contenders.stop();
        console.log(`${name}: ${summary(contenders)}`);
        expect(checkLockRules(contenders)).toEqual([]);
      },
    };
  };
}
