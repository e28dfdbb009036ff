import { createLockClient, type LockClient } from '../src/client/index.js';
import { type FencedStore, startFencedStore } from './fenced-store.js';

/** A write the store refused because a newer lock holder had written already. */
export class StaleTokenError extends Error {
  readonly code = 'STALE_TOKEN';
  override readonly name = 'StaleTokenError';
}

/**
 * Increments the counter stored under `key` in the fenced store: read, add one, write back, all under
 * the lock of the same name, the write carrying the fencing token. The lock makes the read-modify-write
 * exclusive while the lease holds; the token makes a write refused if the lease was lost meanwhile.
 *
 * @throws StaleTokenError when the store refused the write (the caller lost the lock on the way).
 */
export async function incrementWithLock(locks: LockClient, storeUrl: string, key: string): Promise<number> {
  return locks.withLock(
    key,
    async ({ token, signal }) => {
      const current = await fetch(`${storeUrl}/items/${encodeURIComponent(key)}`, { signal });
      const value = current.status === 404 ? 0 : Number(((await current.json()) as { value: string }).value);
      const write = await fetch(`${storeUrl}/items/${encodeURIComponent(key)}`, {
        method: 'PUT',
        headers: { 'fencing-token': String(token) },
        body: String(value + 1),
        signal,
      });
      if (write.status === 409) throw new StaleTokenError(`the store has seen a newer token than ${token}`);
      return value + 1;
    },
    { ttlMs: 5_000, waitMs: 30_000 },
  );
}

/**
 * The worked example: `workers` concurrent clients each increment one shared counter `rounds` times
 * through a lock service at `urls`. With mutual exclusion every increment counts, so the counter ends
 * at `workers * rounds`.
 */
export async function runFencedCounterExample(
  urls: readonly string[],
  workers = 4,
  rounds = 5,
): Promise<{ readonly counter: number; readonly store: FencedStore }> {
  const store = await startFencedStore();
  const locks = createLockClient({ urls });
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let round = 0; round < rounds; round++) await incrementWithLock(locks, store.url, 'counter');
    }),
  );
  return { counter: Number(store.item('counter')?.value ?? 0), store };
}
