import {
  type Entry,
  encodeEntry,
  encodeHardState,
  type PersistBatch,
  type PersistedState,
  type Storage,
  StorageClosedError,
  StorageGapError,
  StorageRangeError,
} from '@raft/core';
import { ClassicLevel } from 'classic-level';
import { CHECKSUM_BYTES, sealValue, writeSealedValue } from './checked-value.js';
import { ENTRY_KEY_BYTES, HARD_STATE_KEY, writeEntryKey } from './key-layout.js';
import { OperationQueue } from './operation-queue.js';
import { StorageLockedError } from './storage-errors.js';
import {
  type BinaryLevel,
  checkFormatVersion,
  FIRST_INDEX,
  readEntries,
  readHardState,
  scanLog,
} from './stored-records.js';
import type { TermRuns } from './term-runs.js';

/** Options of {@link openLevelStorage}. */
export interface LevelStorageOptions {
  /**
   * Directory of the LevelDB database. One node, one directory: the store locks it, and a second
   * open (from any process) fails with `StorageLockedError`.
   */
  readonly directory: string;
  /** Create the directory and an empty store when missing. Default true. */
  readonly createIfMissing?: boolean;
}

/** A {@link Storage} on classic-level (LevelDB). */
export interface LevelStorage extends Storage {
  /** The directory the store was opened on. */
  readonly directory: string;
}

/**
 * Opens (or creates) a durable Raft store in `options.directory`.
 *
 * On open it checks the format version, verifies the hard state and every log entry (checksum,
 * frame, key, no holes), and keeps the log's bounds and the terms in memory so that `persist` never
 * reads and `term` never touches the disk. Every `persist` is one LevelDB batch written with
 * `sync: true`: when it resolves the whole batch is on disk, and after a crash either all of it or
 * none of it is there. Entry reads verify each entry's CRC-32C again. Calls run one at a time, in call
 * order.
 *
 * Besides core's `StorageRangeError`, `StorageGapError` and `StorageClosedError`, it throws:
 *
 * @throws StorageLockedError (`RAFT_STORAGE_LOCKED`) when another process or open store holds the directory.
 * @throws StorageVersionError (`RAFT_STORAGE_VERSION`) when the directory holds another format.
 * @throws StorageCorruptionError (`RAFT_STORAGE_CORRUPT`) at open or on any read that finds damaged
 *   data; the store never truncates or repairs on its own.
 *
 * A failed write (an I/O error from LevelDB) leaves the store failed: every later call rejects with
 * that error, because what reached the disk is unknown. Close it and open the directory again.
 *
 * @example
 * ```ts
 * const storage = await openLevelStorage({ directory: './data/node-a' });
 * const node = createRaftNode({ id: 'a', storage, transport, stateMachine, initialMembers });
 * ```
 */
export async function openLevelStorage(options: LevelStorageOptions): Promise<LevelStorage> {
  const { directory } = options;
  const db: BinaryLevel = new ClassicLevel<Uint8Array, Uint8Array>(directory, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    createIfMissing: options.createIfMissing ?? true,
  });
  try {
    await db.open();
  } catch (error) {
    throw isLockedError(error) ? new StorageLockedError(directory, { cause: error }) : error;
  }
  try {
    await checkFormatVersion(db, directory);
    await readHardState(db, directory);
    const log = await scanLog(db, directory);
    return new LevelDbStorage(directory, db, log.lastIndex, log.terms);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** classic-level reports a held lock as LEVEL_LOCKED, usually wrapped in LEVEL_DATABASE_NOT_OPEN. */
function isLockedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const causeCode = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === 'LEVEL_LOCKED' || (code === 'LEVEL_DATABASE_NOT_OPEN' && causeCode === 'LEVEL_LOCKED');
}

type WriteOperation =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

class LevelDbStorage implements LevelStorage {
  private readonly queue = new OperationQueue();
  private closing: Promise<void> | undefined;
  /** Set when a write failed: the disk state is unknown, so the store takes no further calls. */
  private failure: { readonly error: unknown } | undefined;

  constructor(
    readonly directory: string,
    private readonly db: BinaryLevel,
    /** Index of the last entry on disk (0 when the log is empty). */
    private lastIndexHeld: number,
    /** Terms of the entries [FIRST_INDEX, lastIndexHeld]. */
    private readonly terms: TermRuns,
  ) {}

  load(): Promise<PersistedState> {
    return this.enqueue(async () => {
      const hardState = await readHardState(this.db, this.directory);
      const entries = await readEntries(this.db, this.directory, FIRST_INDEX, this.lastIndexHeld + 1);
      return { hardState, snapshot: undefined, entries };
    });
  }

  persist(batch: PersistBatch): Promise<void> {
    return this.enqueue(() => this.write(batch));
  }

  entries(from: number, to: number): Promise<Entry[]> {
    return this.enqueue(async () => {
      const end = this.lastIndexHeld + 1;
      const valid = Number.isSafeInteger(from) && Number.isSafeInteger(to);
      if (!valid || from < FIRST_INDEX || to > end || from > to) {
        throw new StorageRangeError(`entries [${from}, ${to}) are outside [${FIRST_INDEX}, ${end})`);
      }
      return readEntries(this.db, this.directory, from, to);
    });
  }

  term(index: number): Promise<number | undefined> {
    return this.enqueue(async () => {
      // Without a snapshot, index 0 is the empty prefix every log starts from.
      if (index === 0) return 0;
      if (!Number.isSafeInteger(index) || index < FIRST_INDEX || index > this.lastIndexHeld) return undefined;
      return this.terms.termAt(index);
    });
  }

  firstIndex(): Promise<number> {
    return this.enqueue(async () => FIRST_INDEX);
  }

  lastIndex(): Promise<number> {
    return this.enqueue(async () => this.lastIndexHeld);
  }

  close(): Promise<void> {
    // Calls queued before close still run; LevelDB closes after them.
    this.closing ??= this.queue.drain().then(() => this.db.close());
    return this.closing;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new StorageClosedError());
    return this.queue.run(() => {
      if (this.failure !== undefined) return Promise.reject(this.failure.error);
      return operation();
    });
  }

  private async write(batch: PersistBatch): Promise<void> {
    const { entries, hardState } = batch;
    const first = entries[0];
    const operations: WriteOperation[] = [];
    let newLastIndex = this.lastIndexHeld;
    // Validate and encode everything before writing anything: a refused batch leaves no trace.
    if (first !== undefined) {
      if (!Number.isSafeInteger(first.index) || first.index < FIRST_INDEX) {
        throw new StorageRangeError(`cannot write at index ${first.index}: the log starts at ${FIRST_INDEX}`);
      }
      checkContiguous(entries, Math.min(first.index, this.lastIndexHeld + 1));
      newLastIndex = first.index + entries.length - 1;
      // Raft §5.3: the batch replaces every entry at and above its first index. Puts overwrite the
      // overlap; the old entries past the batch's end are deleted in the same atomic batch.
      const deletions = Math.max(0, this.lastIndexHeld - newLastIndex);
      const frames = entries.map(encodeEntry);
      // One buffer for every key and value of the batch: allocating per record costs more than the
      // checksums (LevelDB copies the bytes into its write batch).
      let bytes = (entries.length + deletions) * ENTRY_KEY_BYTES;
      for (const frame of frames) bytes += CHECKSUM_BYTES + frame.length;
      const slab = new Uint8Array(bytes);
      let offset = 0;
      frames.forEach((frame, position) => {
        const key = writeEntryKey(slab, offset, first.index + position);
        offset += ENTRY_KEY_BYTES;
        const value = writeSealedValue(slab, offset, frame);
        offset += value.length;
        operations.push({ type: 'put', key, value });
      });
      for (let index = newLastIndex + 1; index <= this.lastIndexHeld; index++) {
        operations.push({ type: 'del', key: writeEntryKey(slab, offset, index) });
        offset += ENTRY_KEY_BYTES;
      }
    }
    if (hardState !== undefined) {
      operations.push({ type: 'put', key: HARD_STATE_KEY, value: sealValue(encodeHardState(hardState)) });
    }
    if (operations.length === 0) return;
    try {
      // classic-level defaults to sync: false, which may lose acknowledged writes on power loss.
      await this.db.batch(operations, { sync: true });
    } catch (error) {
      this.failure = { error };
      throw error;
    }
    if (first !== undefined) {
      this.terms.truncateFrom(first.index);
      for (const entry of entries) this.terms.append(entry.index, entry.term);
      this.lastIndexHeld = newLastIndex;
    }
  }
}

/** Throws {@link StorageGapError} unless `entries` have indices `start`, `start + 1`, ... */
function checkContiguous(entries: readonly Entry[], start: number): void {
  entries.forEach((entry, position) => {
    if (entry.index !== start + position) throw new StorageGapError(start + position, entry.index);
  });
}
