export { checkLinearizability } from './check-linearizability.js';
export { describeOperation } from './describe-operation.js';
export { HistoryError, type HistoryErrorCode } from './history-error.js';
export type { HistoryOperation, LinearizabilityOptions, LinearizabilityResult } from './history-operation.js';
export { HistoryRecorder } from './history-recorder.js';
export type { KvOperation, KvOutput } from './kv-operation.js';
