/**
 * Durable Raft storage for `@raft/core` on classic-level (LevelDB): one synced atomic batch per
 * persist, CRC-32C on every entry, verified at open and on every read, a locked directory and a
 * checked format version.
 *
 * @example
 * ```ts
 * import { createRaftNode } from '@raft/core';
 * import { openLevelStorage } from '@raft/storage-level';
 *
 * const storage = await openLevelStorage({ directory: './data/node-a' });
 * const node = createRaftNode({ id: 'a', storage, transport, stateMachine, initialMembers: ['a', 'b', 'c'] });
 * await node.start();
 * ```
 *
 * @packageDocumentation
 */
export { FORMAT_VERSION } from './key-layout.js';
export type { LevelStorage, LevelStorageOptions } from './level-storage.js';
export { DEFAULT_WRITE_BUFFER_BYTES, openLevelStorage } from './level-storage.js';
export type { CorruptRecord, LevelStorageErrorCode } from './storage-errors.js';
export { StorageCorruptionError, StorageLockedError, StorageVersionError } from './storage-errors.js';
