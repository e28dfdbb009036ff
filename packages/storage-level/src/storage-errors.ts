/**
 * The errors `@raft/storage-level` adds to core's storage errors (`StorageRangeError`,
 * `StorageGapError`, `StorageClosedError`, which it also throws). Match on `code`, never on messages.
 */

/** Codes of the errors defined here; stable across versions. */
export type LevelStorageErrorCode = 'RAFT_STORAGE_LOCKED' | 'RAFT_STORAGE_VERSION' | 'RAFT_STORAGE_CORRUPT';

/**
 * The directory is held by another open store: another process, or another open store of this process.
 * LevelDB takes an exclusive lock on its directory; two Raft nodes must never share one.
 */
export class StorageLockedError extends Error {
  readonly code = 'RAFT_STORAGE_LOCKED';
  override readonly name = 'StorageLockedError';
  constructor(
    /** The directory that is locked. */
    readonly directory: string,
    options?: { cause?: unknown },
  ) {
    super(`the storage directory ${directory} is in use by another process or open store`, options);
  }
}

/**
 * The directory holds data in a format this version does not read: written by a newer (or older,
 * incompatible) `@raft/storage-level`, or a LevelDB database that is not a Raft store at all
 * (`found` is then undefined).
 */
export class StorageVersionError extends Error {
  readonly code = 'RAFT_STORAGE_VERSION';
  override readonly name = 'StorageVersionError';
  constructor(
    readonly directory: string,
    /** The format version stored in the directory, or undefined if it has none. */
    readonly found: number | undefined,
    /** The format version this package reads and writes. */
    readonly expected: number,
  ) {
    super(
      found === undefined
        ? `${directory} holds a LevelDB database without a Raft storage format version (expected ${expected})`
        : `${directory} holds Raft storage format version ${found}; this version reads ${expected}`,
    );
  }
}

/**
 * Which stored record failed its check: a log entry, the hard state, the format version, the snapshot
 * record (which snapshot is current and its metadata), a chunk of the current snapshot's data, or the
 * compaction bound (the last discarded entry).
 */
export type CorruptRecord =
  | 'entry'
  | 'hard-state'
  | 'format-version'
  | 'snapshot'
  | 'snapshot-chunk'
  | 'compaction-bound';

/**
 * Stored data failed an integrity check: a checksum mismatch, a frame the codec rejects, an entry
 * stored under another index's key, a hole in the log, or a snapshot whose chunks are missing or do
 * not add up to its recorded size. The store refuses to serve it and never
 * repairs or truncates on its own: restore the node from a backup or a peer.
 */
export class StorageCorruptionError extends Error {
  readonly code = 'RAFT_STORAGE_CORRUPT';
  override readonly name = 'StorageCorruptionError';
  constructor(
    /** The store's directory. */
    readonly directory: string,
    /** The kind of record that is damaged. */
    readonly record: CorruptRecord,
    /**
     * The log index of the damaged (or missing) entry, or the number of the damaged (or missing) chunk
     * for `'snapshot-chunk'`; undefined for other records.
     */
    readonly index: number | undefined,
    /** What the check found, for people; not stable. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const where =
      record === 'entry'
        ? `log entry ${index}`
        : record === 'snapshot-chunk'
          ? `snapshot chunk ${index}`
          : record;
    super(`corrupt Raft storage in ${directory}: ${where}: ${reason}`, options);
  }
}
