import type { Storage } from '@raft/core';
import { describeStorage } from '@raft/testkit/conformance';
import { afterAll } from 'vitest';
import { type LevelStorage, openLevelStorage } from '../src/index.js';
import { TempDirectories } from './temp-directories.js';

// The Storage contract, including what must survive closing and reopening the same directory.
const directories = new TempDirectories();
afterAll(() => directories.removeAll());

describeStorage('LevelStorage', {
  setup: () => openLevelStorage({ directory: directories.makeMissing('conformance') }),
  async reopen(storage: Storage) {
    const { directory } = storage as LevelStorage;
    await storage.close();
    return openLevelStorage({ directory });
  },
  async teardown(storage: Storage) {
    await storage.close();
  },
});
