import type { LogPosition } from '@raft/core';
import {
  CHUNK_KEYS_END,
  CHUNK_KEYS_START,
  COMPACTION_BOUND_KEY,
  chunkRangeStart,
  parseChunkKey,
  SNAPSHOT_RECORD_KEY,
} from './key-layout.js';
import { openCompactionBound, openSnapshotRecord, type SnapshotRecord } from './snapshot-records.js';
import { StorageCorruptionError } from './storage-errors.js';
import { type BinaryLevel, corruption } from './stored-records.js';

/** What the open found of snapshots and compaction. */
export interface StoredSnapshotState {
  /** The current snapshot, verified (its record, and that every chunk key is there). */
  readonly snapshot: SnapshotRecord | undefined;
  /** The last discarded entry: the log starts right after it. */
  readonly offset: LogPosition;
  /** An id no stored chunk uses: where the next snapshot writer starts numbering. */
  readonly nextSnapshotId: number;
}

/** Keys fetched per iterator step when listing chunk keys. */
const KEYS_PER_STEP = 1024;

/**
 * Reads and verifies the snapshot record and the compaction bound, checks that the current snapshot's
 * chunks 0 to n - 1 are all present (their data is checksummed on every read), and deletes every
 * other chunk: those of writers that never saved or installed (the process died, or abort did not
 * finish) and of superseded snapshots. At open no reader exists that could still need them.
 *
 * @throws StorageCorruptionError for a damaged record, a bound without a snapshot or beyond it, or a
 *   missing or extra chunk of the current snapshot.
 */
export async function openSnapshotState(db: BinaryLevel, directory: string): Promise<StoredSnapshotState> {
  const snapshot = await readRecord(db, directory);
  const bound = await readBound(db, directory);
  if (bound !== undefined && (snapshot === undefined || bound.index > snapshot.meta.index)) {
    const covered = snapshot?.meta.index ?? 0;
    throw new StorageCorruptionError(
      directory,
      'compaction-bound',
      undefined,
      `entries discarded through ${bound.index}, but the snapshot covers only ${covered}`,
    );
  }
  // Install and compact always write the bound; without one the log was never compacted (a snapshot
  // only saved leaves the log as it is).
  const offset = bound ?? { index: 0, term: 0 };
  let highestId = snapshot?.snapshotId ?? 0;
  let currentChunks = 0;
  let garbage = false;
  const keys = db.keys({ gte: CHUNK_KEYS_START, lt: CHUNK_KEYS_END, fillCache: false });
  try {
    for (;;) {
      const step = await keys.nextv(KEYS_PER_STEP);
      if (step.length === 0) break;
      for (const key of step) {
        const parsed = parseChunkKey(key);
        if (parsed === undefined || !Number.isSafeInteger(parsed.snapshotId)) {
          garbage = true;
          continue;
        }
        highestId = Math.max(highestId, parsed.snapshotId);
        if (parsed.snapshotId !== snapshot?.snapshotId) {
          garbage = true;
        } else if (parsed.chunk !== currentChunks) {
          throw missingChunk(directory, currentChunks, `missing (next is ${parsed.chunk})`);
        } else {
          currentChunks++;
        }
      }
    }
  } finally {
    await keys.close();
  }
  if (snapshot !== undefined && currentChunks !== snapshot.chunks) {
    const reason = `${currentChunks} chunks stored, the snapshot record says ${snapshot.chunks}`;
    throw missingChunk(directory, Math.min(currentChunks, snapshot.chunks), reason);
  }
  if (garbage) await deleteChunksExcept(db, snapshot?.snapshotId);
  return { snapshot, offset, nextSnapshotId: highestId + 1 };
}

/** Deletes every chunk of every snapshot but `keep`. Not synced: garbage that reappears is deleted again. */
async function deleteChunksExcept(db: BinaryLevel, keep: number | undefined): Promise<void> {
  if (keep === undefined) {
    await db.clear({ gte: CHUNK_KEYS_START, lt: CHUNK_KEYS_END });
    return;
  }
  await db.clear({ gte: CHUNK_KEYS_START, lt: chunkRangeStart(keep) });
  await db.clear({ gte: chunkRangeStart(keep + 1), lt: CHUNK_KEYS_END });
}

async function readRecord(db: BinaryLevel, directory: string): Promise<SnapshotRecord | undefined> {
  const value = await db.get(SNAPSHOT_RECORD_KEY);
  if (value === undefined) return undefined;
  try {
    return openSnapshotRecord(value);
  } catch (error) {
    throw corruption(error, directory, 'snapshot', undefined);
  }
}

async function readBound(db: BinaryLevel, directory: string): Promise<LogPosition | undefined> {
  const value = await db.get(COMPACTION_BOUND_KEY);
  if (value === undefined) return undefined;
  try {
    return openCompactionBound(value);
  } catch (error) {
    throw corruption(error, directory, 'compaction-bound', undefined);
  }
}

function missingChunk(directory: string, chunk: number, reason: string): StorageCorruptionError {
  return new StorageCorruptionError(directory, 'snapshot-chunk', chunk, reason);
}

/** The log position a snapshot ends at. */
export function positionOf(snapshot: SnapshotRecord): LogPosition {
  return { index: snapshot.meta.index, term: snapshot.meta.term };
}
