import type { Entry, HardState, SnapshotMeta } from '../engine/types.js';

/** Everything a node persisted, as read back on start. */
export interface PersistedState {
  readonly hardState: HardState;
  /** The latest snapshot's metadata, or undefined while none was taken. */
  readonly snapshot: SnapshotMeta | undefined;
  /** Every entry after the snapshot (or from index 1), in index order, without gaps. */
  readonly entries: readonly Entry[];
}

/** One atomic write: the unit of group commit. */
export interface PersistBatch {
  /** New hard state, if it changed. */
  readonly hardState?: HardState | undefined;
  /**
   * Entries in index order without gaps. Any persisted entry whose index is at or above
   * `entries[0].index` is replaced: a new leader may overwrite an uncommitted suffix (Raft §5.3).
   */
  readonly entries: readonly Entry[];
}

/**
 * Durable storage for one node's Raft state. Implementations: `memoryStorage()` in this package,
 * `@raft/storage-level` on LevelDB, or yours; run `describeStorage` from `@raft/testkit` against it.
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
  /** Term of the entry at `index` (or of the snapshot's last entry), or undefined if unknown. */
  term(index: number): Promise<number | undefined>;
  /** Index of the first entry held (snapshot index + 1 after compaction; 1 on a fresh log). */
  firstIndex(): Promise<number>;
  /** Index of the last entry held, or the snapshot's index (0 on a fresh log). */
  lastIndex(): Promise<number>;
  /** Release the store. Further calls reject. */
  close(): Promise<void>;
}

/** Asked for entries outside what the store holds. */
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
