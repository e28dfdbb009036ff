import { waitUntil } from '@raft/service';
import { createLockClient, type HeldLock } from '../../src/client/index.js';

/** A client that takes one lock and keeps it (its session kept alive in the background) until let go. */
export interface SteadyHolder {
  readonly held: HeldLock;
  /** Releases the lock; resolves once the session is closed. */
  letGo(): Promise<void>;
}

/** Takes `lock` through `urls` and holds it until {@link SteadyHolder.letGo}. */
export async function holdSteadily(
  urls: readonly string[],
  lock: string,
  ttlMs: number,
): Promise<SteadyHolder> {
  const locks = createLockClient({ urls, attemptTimeoutMs: 1_000, retryForMs: 15_000 });
  let held: HeldLock | undefined;
  let letGo: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  const done = locks.withLock(
    lock,
    async (lockHeld) => {
      held = lockHeld;
      await released;
    },
    { ttlMs, waitMs: 5_000 },
  );
  done.catch(() => {});
  await waitUntil(`${lock} held`, () => held !== undefined, { timeoutMs: 10_000 });
  return {
    held: held!,
    letGo: async () => {
      letGo();
      await done;
    },
  };
}
