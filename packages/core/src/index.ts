export type { DecodeLimits } from './codec/index.js';
export {
  CODEC_VERSION,
  decodeConfig,
  decodeEntry,
  decodeHardState,
  decodeMessage,
  decodeMessages,
  encodeConfig,
  encodedEntrySize,
  encodeEntry,
  encodeEntryInto,
  encodeHardState,
  encodeMessage,
  encodeMessages,
} from './codec/index.js';
export type * from './engine/messages.js';
export { MESSAGE_TYPES, TRACE_CONTEXT_BYTES } from './engine/messages.js';
export type { RaftOptions, ResolvedRaftOptions } from './engine/options.js';
export { InvalidOptionsError } from './engine/options.js';
export type { VoteResult } from './engine/quorum.js';
export { majorityValue, quorumValue, voteResult } from './engine/quorum.js';
export type { RaftInitialState } from './engine/raft.js';
export { Raft } from './engine/raft.js';
export { RaftInvariantError } from './engine/raft-log.js';
export type {
  ProposalOutcome,
  ReadFailure,
  ReadState,
  Ready,
  RejectReason,
  SoftState,
} from './engine/ready.js';
export type { ProgressStatus, RaftInspection, RaftStatus } from './engine/status.js';
export type {
  ClusterConfig,
  Entry,
  EntryType,
  HardState,
  LogPosition,
  NodeId,
  RandomSource,
  Role,
  SnapshotMeta,
} from './engine/types.js';
export { NO_NODE } from './engine/types.js';
export type { RaftErrorCode } from './errors.js';
export {
  ConfigChangeInProgressError,
  DecodeError,
  InvalidConfigError,
  NodeRemovedError,
  NotLeaderError,
  ProposalDroppedError,
  RaftError,
  StoppedError,
  TimeoutError,
} from './errors.js';
export type { Clock, Timer } from './interfaces/clock.js';
export { systemClock } from './interfaces/clock.js';
export type * from './interfaces/observer.js';
export type { CommittedEntry, StateMachine } from './interfaces/state-machine.js';
export type {
  PersistBatch,
  PersistedState,
  SnapshotReader,
  SnapshotWriter,
  Storage,
} from './interfaces/storage.js';
export { StorageClosedError, StorageGapError, StorageRangeError } from './interfaces/storage.js';
export type { MessageHandler, Transport } from './interfaces/transport.js';
export type {
  MemoryNetwork,
  MemoryNetworkOptions,
  MemoryStorage,
  MemoryStorageOptions,
  StorageImageContents,
  StoredSnapshot,
} from './memory/index.js';
export {
  collectingSnapshotWriter,
  memoryNetwork,
  memoryStorage,
  StorageImage,
  snapshotReader,
} from './memory/index.js';
export type {
  AbortSignalLike,
  ProposeOptions,
  RaftNode,
  RaftNodeOptions,
  ReadOptions,
  RequestOptions,
  SnapshotOptions,
  TraceContextSource,
} from './node/index.js';
export { createRaftNode } from './node/index.js';
