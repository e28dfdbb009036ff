import type { Storage } from '@raft/core';
import { ClassicLevel } from 'classic-level';
import { LevelDbStorage } from './level-db-storage.js';
import { StorageLockedError } from './storage-errors.js';
import {
  type BinaryLevel,
  checkFormatVersion,
  deleteStaleEntries,
  readHardState,
  scanLog,
} from './stored-records.js';
import { openSnapshotState } from './stored-snapshots.js';

/** Options of {@link openLevelStorage}. */
export interface LevelStorageOptions {
  /**
   * Directory of the LevelDB database. One node, one directory: the store locks it, and a second
   * open (from any process) fails with `StorageLockedError`.
   */
  readonly directory: string;
  /** Create the directory and an empty store when missing. Default true. */
  readonly createIfMissing?: boolean;
  /**
   * Bytes LevelDB gathers in memory (and in its write-ahead file) before it writes them out as a
   * sorted table: its `writeBufferSize`. Default {@link DEFAULT_WRITE_BUFFER_BYTES} (4 MiB, LevelDB's
   * own). A larger buffer means fewer, larger table writes, a little less CPU per write under steady
   * load, more memory (up to about twice this while a full buffer is written out) and a longer replay
   * when reopening; it did not change the end-to-end tail (tooling/bench/README.md, item 23).
   * Between 64 KiB and 1 GiB.
   */
  readonly writeBufferBytes?: number;
}

/** Default of {@link LevelStorageOptions.writeBufferBytes}: 4 MiB, LevelDB's own default. */
export const DEFAULT_WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
const MIN_WRITE_BUFFER_BYTES = 64 * 1024;
const MAX_WRITE_BUFFER_BYTES = 1024 * 1024 * 1024;

function writeBufferBytes(options: LevelStorageOptions): number {
  const bytes = options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_WRITE_BUFFER_BYTES || bytes > MAX_WRITE_BUFFER_BYTES) {
    throw new RangeError(
      `writeBufferBytes must be an integer from ${MIN_WRITE_BUFFER_BYTES} to ${MAX_WRITE_BUFFER_BYTES}, got ${bytes}`,
    );
  }
  return bytes;
}

/**
 * A {@link Storage} on classic-level (LevelDB), with snapshots and log compaction: `beginSnapshot`,
 * `readSnapshot` and `compact` are always present.
 */
export interface LevelStorage extends Required<Storage> {
  /** The directory the store was opened on. */
  readonly directory: string;
}

/**
 * Opens (or creates) a durable Raft store in `options.directory`.
 *
 * On open it checks the format version, verifies the hard state, the snapshot record, the compaction
 * bound and every log entry (checksum, frame, key, no holes), checks that every chunk of the current
 * snapshot is present, deletes the chunks of snapshots that were never saved (a crash mid-write) or
 * were superseded and the entries a compaction had not finished deleting, and keeps the log's bounds
 * and the terms in memory so that `persist` never reads and `term` never touches the disk. Every
 * `persist`, snapshot `save` and `install`, and `compact` is one LevelDB batch written with
 * `sync: true`: when it resolves the whole batch is on disk, and after a crash either all of it or none
 * of it is there. The entries a compaction or install discards are garbage from that batch on; they are
 * deleted after it, beside later calls. Snapshot chunks are written (synced) as they arrive, under an
 * id nothing refers to until the save or install batch. Reads verify each record's CRC-32C again.
 * Calls run one at a time, in call order; a snapshot reader's pass runs beside them.
 *
 * Besides core's `StorageRangeError`, `StorageGapError` and `StorageClosedError`, it throws:
 *
 * @throws RangeError for a `writeBufferBytes` out of range, before anything is opened.
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
    writeBufferSize: writeBufferBytes(options),
  });
  try {
    await db.open();
  } catch (error) {
    throw isLockedError(error) ? new StorageLockedError(directory, { cause: error }) : error;
  }
  try {
    const version = await checkFormatVersion(db, directory);
    await readHardState(db, directory);
    const snapshots = await openSnapshotState(db, directory);
    const { staleEntries, ...log } = await scanLog(db, directory, snapshots.offset.index + 1);
    if (staleEntries > 0) await deleteStaleEntries(db, snapshots.offset.index);
    return new LevelDbStorage(directory, db, { version, ...snapshots, ...log });
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
