export { describeStorage } from './describe-storage.js';
export { describeTransport } from './describe-transport.js';
export { sampleMessages, sampleTracedMessages } from './message-samples.js';
export type { StorageFactory } from './storage-session.js';
export type { TransportFactory } from './transport-cluster.js';
export type { WaitForOptions } from './wait-for.js';
export { WaitForTimeoutError, waitFor } from './wait-for.js';
