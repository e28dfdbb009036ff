export type { Entry, EntryType, HardState, ClusterConfig, SnapshotMeta, NodeId, Role, RandomSource } from './engine/types.js';
export { NO_NODE } from './engine/types.js';
export type * from './engine/messages.js';
export { MESSAGE_TYPES } from './engine/messages.js';
export type { Ready, SoftState, ReadState, ReadFailure, ProposalOutcome, RejectReason } from './engine/ready.js';
export type { RaftOptions, ResolvedRaftOptions } from './engine/options.js';
export { InvalidOptionsError } from './engine/options.js';
export type { RaftStatus, ProgressStatus, RaftInspection } from './engine/status.js';
export { Raft } from './engine/raft.js';
export type { RaftInitialState } from './engine/raft.js';
export type { Storage, PersistBatch, PersistedState } from './interfaces/storage.js';
export { StorageRangeError } from './interfaces/storage.js';
export type { Transport, MessageHandler } from './interfaces/transport.js';
export type { StateMachine, CommittedEntry } from './interfaces/state-machine.js';
export type { Clock, Timer } from './interfaces/clock.js';
export { systemClock } from './interfaces/clock.js';
export type { Observer, RaftEvent } from './interfaces/observer.js';
export {
  RaftError,
  NotLeaderError,
  ProposalDroppedError,
  TimeoutError,
  StoppedError,
  DecodeError,
} from './errors.js';
export type { RaftErrorCode } from './errors.js';
export {
  CODEC_VERSION,
  decodeConfig,
  decodeEntry,
  decodeHardState,
  decodeMessage,
  decodeMessages,
  encodeConfig,
  encodeEntry,
  encodeHardState,
  encodeMessage,
  encodeMessages,
} from './codec/index.js';
export type { DecodeLimits } from './codec/index.js';
export { memoryNetwork, memoryStorage, StorageClosedError, StorageGapError } from './memory/index.js';
export type { MemoryNetwork, MemoryNetworkOptions, MemoryStorage, MemoryStorageOptions } from './memory/index.js';
export { createRaftNode } from './node/index.js';
export type { AbortSignalLike, RaftNode, RaftNodeOptions, RequestOptions } from './node/index.js';
export { RaftInvariantError } from './engine/raft-log.js';
export { majorityValue, quorumValue, voteResult } from './engine/quorum.js';
export type { VoteResult } from './engine/quorum.js';
