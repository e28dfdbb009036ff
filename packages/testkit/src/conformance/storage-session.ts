import type { Storage } from '@raft/core';

/**
 * How the storage suite gets stores to test. Every test calls `setup` for a new, empty store and
 * `teardown` (or `close` when there is none) when it ends.
 */
export interface StorageFactory {
  /** A new, empty store, ready for calls. */
  setup(): Promise<Storage>;
  /**
   * Close `storage` and open the same underlying store again, as a restarted process would. Omit it
   * when the store is not durable; the tests of what survives a reopen are then skipped.
   */
  reopen?(storage: Storage): Promise<Storage>;
  /**
   * Release everything `setup` made (files, directories). Receives the store the test ended with,
   * which the test may already have closed.
   */
  teardown?(storage: Storage): Promise<void>;
  /**
   * Whether to run the snapshot tests (beginSnapshot, readSnapshot, compact). Default true; set false
   * only for a store that does not implement them yet (such a store cannot compact its log).
   */
  readonly snapshots?: boolean;
}

/** The store a test is working on; it changes when the test reopens it. */
export interface StorageSession {
  readonly storage: Storage;
  /** Reopen through the factory; only call when the factory has `reopen`. */
  reopen(): Promise<Storage>;
  /** Close the store and remember it, so the teardown does not close it twice. */
  close(): Promise<void>;
}

/** Runs `body` against a fresh store from `factory` and always tears it down afterwards. */
export async function withStorage(
  factory: StorageFactory,
  body: (session: StorageSession) => Promise<void>,
): Promise<void> {
  let storage = await factory.setup();
  let closed = false;
  const session: StorageSession = {
    get storage() {
      return storage;
    },
    async reopen() {
      if (factory.reopen === undefined) throw new Error('this storage factory cannot reopen');
      storage = await factory.reopen(storage);
      return storage;
    },
    async close() {
      closed = true;
      await storage.close();
    },
  };
  try {
    await body(session);
  } finally {
    if (factory.teardown !== undefined) await factory.teardown(storage);
    else if (!closed) await storage.close();
  }
}
