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
