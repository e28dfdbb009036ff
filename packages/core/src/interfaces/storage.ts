import type { Entry, HardState, LogPosition, SnapshotMeta } from '../engine/types.js';

/** Everything a node persisted, as read back on start. */
export interface PersistedState {
  readonly hardState: HardState;
  /** The latest snapshot's metadata, or undefined while none was saved. */
  readonly snapshot: SnapshotMeta | undefined;
  /**
   * The last entry discarded by compaction (or replaced by an installed snapshot): `entries` start
   * right after it. Absent means the log starts right after the snapshot, or at index 1 without one.
   * Compaction may keep entries the snapshot covers, so this can lie below the snapshot's index.
   */
  readonly compacted?: LogPosition | undefined;
  /** Every entry held, in index order, without gaps. */
  readonly entries: readonly Entry[];
}

/** One atomic write: the unit of group commit. */
export interface PersistBatch {
  /** New hard state, if it changed. */
  readonly hardState?: HardState | undefined;
  /**
   * Entries in index order without gaps. Any persisted entry whose index is at or above
   * `entries[0].index` is replaced: a new leader may overwrite an uncommitted suffix (Raft §5.3).
   * Entries at or below the snapshot's index are committed and never rewritten: such a batch is
   * refused with {@link StorageRangeError}.
   */
  readonly entries: readonly Entry[];
}

/** A stored snapshot: its metadata and its data, read as a stream of chunks. */
export interface SnapshotReader {
  readonly meta: SnapshotMeta;
  /** Total size of the data in bytes. */
  readonly bytes: number;
  /**
   * The data, chunk by chunk, in order. Each call starts a new pass from the beginning. The stream
   * stays readable while newer snapshots are saved (it reads the one it was opened on), so a leader
   * can keep sending it to a follower.
   */
  chunks(): AsyncIterable<Uint8Array>;
}

/**
 * Writes one snapshot's data chunk by chunk. Nothing of it is visible (to `load`, `readSnapshot`, or
 * after a crash) until `save` or `install` resolves; both make the whole snapshot visible atomically.
 * A writer that is abandoned (the process died, or `abort` was called) leaves no trace after a reopen.
 */
export interface SnapshotWriter {
  readonly meta: SnapshotMeta;
  /** Append a chunk. The store may keep it on disk rather than in memory; chunks are copied. */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Make this the store's snapshot, replacing the previous one, and leave the log as it is (a node
   * snapshotting its own state machine; compact separately). Refused with {@link StorageRangeError}
   * when `meta.index` is below the current snapshot's index or above the last entry held.
   */
  save(): Promise<void>;
  /**
   * Make this the store's snapshot and, in the same atomic write, rebase the log on it (a follower
   * installing a leader's snapshot, Raft §7): when the log holds an entry at `meta.index` with
   * `meta.term`, the entries after it are kept and those up to it discarded; otherwise the whole log
   * is discarded. The hard state's commit rises to `meta.index` if it was lower. Refused with
   * {@link StorageRangeError} when `meta.index` is not above the current snapshot's index.
   */
  install(): Promise<void>;
  /** Discard what was written. Idempotent; a no-op after `save` or `install`. */
  abort(): Promise<void>;
}

/**
 * Durable storage for one node's Raft state. Implementations: `memoryStorage()` in this package,
 * `@raft/storage-level` on LevelDB, or yours; run `describeStorage` from `@raft/testkit` against it.
 *
 * Calls take effect in the order they are made: a caller may issue a call before the previous one
 * resolved (a node persists its next batch while installing a snapshot is pending, for example).
 */
export interface Storage {
  /** Read the persisted state. On an empty store: term 0, no vote, commit 0, no entries. */
  load(): Promise<PersistedState>;
  /**
   * Write `batch` atomically and durably: when the promise resolves the whole batch survives a crash
   * (power loss included); if the process dies before that, either all of it or none of it is there.
   */
  persist(batch: PersistBatch): Promise<void>;
  /** Entries with index in [from, to), in order. Throws {@link StorageRangeError} outside the log. */
  entries(from: number, to: number): Promise<Entry[]>;
  /**
   * Term of the entry at `index`, of the last compacted entry, or of the snapshot's last entry;
   * undefined if unknown.
   */
  term(index: number): Promise<number | undefined>;
  /** Index of the first entry held (1 on a fresh log; the compaction point + 1 afterwards). */
  firstIndex(): Promise<number>;
  /** Index of the last entry held, or the compaction point when no entry is held (0 on a fresh log). */
  lastIndex(): Promise<number>;
  /**
   * Start writing a snapshot described by `meta`; see {@link SnapshotWriter}. Optional for now: a store
   * without snapshot support never compacts, and a follower on it cannot catch up from a snapshot.
   */
  beginSnapshot?(meta: SnapshotMeta): Promise<SnapshotWriter>;
  /** The latest saved or installed snapshot, or undefined while there is none. */
  readSnapshot?(): Promise<SnapshotReader | undefined>;
  /**
   * Discard the entries up to and including `index`, which the snapshot must cover (refused with
   * {@link StorageRangeError} above the snapshot's index). Indices already discarded are a no-op.
   * Durable and atomic like `persist`.
   */
  compact?(index: number): Promise<void>;
  /** Release the store. Further calls reject. */
  close(): Promise<void>;
}

/** Asked for entries outside what the store holds, or to write or compact where the contract forbids. */
export class StorageRangeError extends Error {
  readonly code = 'RAFT_STORAGE_RANGE';
  override readonly name = 'StorageRangeError';
}
/**
 * A batch's entries are not contiguous: with each other, or with the last persisted entry. Persisting
 * it would leave a hole in the log, so the whole batch is refused and nothing is written.
 */
export class StorageGapError extends Error {
  readonly code = 'RAFT_STORAGE_GAP';
  override readonly name = 'StorageGapError';
  constructor(
    /** The index the next entry had to have. */
    readonly expectedIndex: number,
    /** The index it had. */
    readonly actualIndex: number,
  ) {
    super(`log entries must be contiguous: expected index ${expectedIndex}, got ${actualIndex}`);
  }
}

/** The store was closed; it takes no further calls. */
export class StorageClosedError extends Error {
  readonly code = 'RAFT_STORAGE_CLOSED';
  override readonly name = 'StorageClosedError';
  constructor() {
    super('the storage is closed');
  }
}
