export type { TraceContextSource } from './proposal-trace-context.js';
export type {
  AbortSignalLike,
  ProposeOptions,
  RaftNode,
  RaftNodeOptions,
  ReadOptions,
  RequestOptions,
} from './raft-node.js';
export { createRaftNode } from './raft-node.js';
export type { SnapshotOptions } from './snapshot-options.js';
