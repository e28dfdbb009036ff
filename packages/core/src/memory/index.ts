export type { MemoryNetwork, MemoryNetworkOptions } from './memory-network.js';
export { memoryNetwork } from './memory-network.js';
export type { MemoryStorage, MemoryStorageOptions } from './memory-storage.js';
export { collectingSnapshotWriter, memoryStorage, snapshotReader } from './memory-storage.js';
export type { StorageImageContents, StoredSnapshot } from './storage-image.js';
export { StorageImage } from './storage-image.js';
