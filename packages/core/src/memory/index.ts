export type { MemoryNetwork, MemoryNetworkOptions } from './memory-network.js';
export { memoryNetwork } from './memory-network.js';
export type { MemoryStorage, MemoryStorageOptions } from './memory-storage.js';
export { memoryStorage } from './memory-storage.js';
