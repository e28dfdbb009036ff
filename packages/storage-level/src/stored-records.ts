import type { Entry, HardState } from '@raft/core';
import type { ClassicLevel, Iterator } from 'classic-level';
import { DamagedValueError, openEntry, openHardState, verifyEntry } from './checked-value.js';
import {
  decodeFormatVersion,
  ENTRY_KEYS_END,
  ENTRY_KEYS_START,
  encodeFormatVersion,
  entryKey,
  FORMAT_VERSION,
  FORMAT_VERSION_KEY,
  HARD_STATE_KEY,
  indexOfEntryKey,
  READABLE_FORMAT_VERSIONS,
} from './key-layout.js';
import { type CorruptRecord, StorageCorruptionError, StorageVersionError } from './storage-errors.js';
import { TermRuns } from './term-runs.js';

/** The database as this package opens it: binary keys and values. */
export type BinaryLevel = ClassicLevel<Uint8Array, Uint8Array>;

/** An iterator over keys and values of {@link BinaryLevel}. */
export type BinaryIterator = Iterator<BinaryLevel, Uint8Array, Uint8Array>;

/** Index of the first log entry of a log that was never compacted. */
export const FIRST_INDEX = 1;

/** Entries fetched from LevelDB per iterator step: bounds memory while amortising native calls. */
const ENTRIES_PER_STEP = 256;

const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/**
 * Checks the stored format version, and stamps a new (empty) database with the current one. A
 * database with records but no version is not a Raft store: it is refused rather than written into.
 * Returns the stored version (one of {@link READABLE_FORMAT_VERSIONS}).
 *
 * @throws StorageVersionError when the version is not readable or is missing from a non-empty database.
 * @throws StorageCorruptionError when the version record is malformed.
 */
export async function checkFormatVersion(db: BinaryLevel, directory: string): Promise<number> {
  const stored = await db.get(FORMAT_VERSION_KEY);
  if (stored === undefined) {
    const anyKey = await db.keys({ limit: 1 }).all();
    if (anyKey.length > 0) throw new StorageVersionError(directory, undefined, FORMAT_VERSION);
    await db.put(FORMAT_VERSION_KEY, encodeFormatVersion(FORMAT_VERSION), { sync: true });
    return FORMAT_VERSION;
  }
  const version = decodeFormatVersion(stored);
  if (version === undefined) {
    throw new StorageCorruptionError(directory, 'format-version', undefined, `${stored.length} bytes, not 4`);
  }
  if (!READABLE_FORMAT_VERSIONS.includes(version)) {
    throw new StorageVersionError(directory, version, FORMAT_VERSION);
  }
  return version;
}

/** The stored hard state, verified; the empty one when none was persisted. @throws StorageCorruptionError */
export async function readHardState(db: BinaryLevel, directory: string): Promise<HardState> {
  const value = await db.get(HARD_STATE_KEY);
  if (value === undefined) return EMPTY_HARD_STATE;
  try {
    return openHardState(value);
  } catch (error) {
    throw corruption(error, directory, 'hard-state', undefined);
  }
}

/** What a full scan of the log found: its last index and the term of every entry. */
export interface ScannedLog {
  readonly lastIndex: number;
  readonly terms: TermRuns;
  /** Entries found at or below the compaction point: garbage of a compaction a crash interrupted. */
  readonly staleEntries: number;
}

/**
 * Reads every entry once, verifying its checksum, its frame, its key and that the log has no holes
 * (it must start at `firstIndex`, right after the compaction point). Entries below `firstIndex` are
 * counted, not verified: a compaction deletes them after its synced write, so a crash can leave some
 * behind (see {@link deleteStaleEntries}). Keeps only the terms, so memory stays bounded by the term
 * changes, not the log size. An empty log reports `firstIndex - 1` as its last index.
 *
 * @throws StorageCorruptionError naming the first bad or missing index, or a malformed entry key.
 */
export async function scanLog(db: BinaryLevel, directory: string, firstIndex: number): Promise<ScannedLog> {
  const terms = new TermRuns();
  let expected = firstIndex;
  let staleEntries = 0;
  const iterator = db.iterator({ gte: ENTRY_KEYS_START, lt: ENTRY_KEYS_END });
  try {
    for (;;) {
      const step = await iterator.nextv(ENTRIES_PER_STEP);
      if (step.length === 0) break;
      for (const [key, value] of step) {
        const index = indexOfEntryKey(key);
        if (index !== undefined && index < firstIndex) {
          staleEntries++;
          continue;
        }
        if (index !== expected) {
          const reason =
            index === undefined ? `malformed entry key of ${key.length} bytes` : `missing (next is ${index})`;
          throw new StorageCorruptionError(directory, 'entry', expected, reason);
        }
        try {
          terms.append(index, verifyEntry(value, index).term);
        } catch (error) {
          throw corruption(error, directory, 'entry', index);
        }
        expected++;
      }
    }
  } finally {
    await iterator.close();
  }
  return { lastIndex: expected - 1, terms, staleEntries };
}

/**
 * Deletes the entries at or below `throughIndex` (the compaction point) that a compaction interrupted by
 * a crash left behind. Not synced: whatever survives another crash is deleted at the next open.
 */
export function deleteStaleEntries(db: BinaryLevel, throughIndex: number): Promise<void> {
  return db.clear({ gte: ENTRY_KEYS_START, lte: entryKey(throughIndex) });
}

/**
 * Entries [from, to), verified, read through an iterator so only the requested range is in memory.
 * The caller has checked the range against the log's bounds, so a missing entry is corruption.
 *
 * @throws StorageCorruptionError naming the first bad or missing index.
 */
export async function readEntries(
  db: BinaryLevel,
  directory: string,
  from: number,
  to: number,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  if (from >= to) return entries;
  const iterator = db.values({ gte: entryKey(from), lt: entryKey(to) });
  try {
    for (;;) {
      const step = await iterator.nextv(ENTRIES_PER_STEP);
      if (step.length === 0) break;
      for (const value of step) {
        const index = from + entries.length;
        try {
          entries.push(openEntry(value, index));
        } catch (error) {
          throw corruption(error, directory, 'entry', index);
        }
      }
    }
  } finally {
    await iterator.close();
  }
  if (entries.length !== to - from) {
    throw new StorageCorruptionError(directory, 'entry', from + entries.length, 'missing');
  }
  return entries;
}

/** Turns a failed check into the typed error; anything else (an I/O error) passes through. */
export function corruption(
  error: unknown,
  directory: string,
  record: CorruptRecord,
  index: number | undefined,
): unknown {
  if (!(error instanceof DamagedValueError)) return error;
  return new StorageCorruptionError(directory, record, index, error.message);
}
