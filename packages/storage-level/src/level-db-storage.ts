import {
  type Entry,
  encodedEntrySize,
  encodeEntryInto,
  encodeHardState,
  type LogPosition,
  type PersistBatch,
  type PersistedState,
  type SnapshotMeta,
  type SnapshotReader,
  type SnapshotWriter,
  StorageClosedError,
  StorageGapError,
  StorageRangeError,
} from '@raft/core';
import { BackgroundDeletions } from './background-deletions.js';
import { CHECKSUM_BYTES, sealInPlace, sealValue } from './checked-value.js';
import {
  COMPACTION_BOUND_KEY,
  chunkKey,
  ENTRY_KEY_BYTES,
  encodeFormatVersion,
  entryKey,
  FORMAT_VERSION,
  FORMAT_VERSION_KEY,
  HARD_STATE_KEY,
  SNAPSHOT_RECORD_KEY,
  writeEntryKey,
} from './key-layout.js';
import { chunkRange, levelSnapshotReader, type SnapshotReaderHost } from './level-snapshot-reader.js';
import { LevelSnapshotWriter, type SnapshotWriterHost } from './level-snapshot-writer.js';
import type { LevelStorage } from './level-storage.js';
import { OperationQueue } from './operation-queue.js';
import {
  encodeCompactionBound,
  encodeSnapshotRecord,
  type SnapshotRecord,
  sealChunk,
} from './snapshot-records.js';
import { type BinaryIterator, type BinaryLevel, readEntries, readHardState } from './stored-records.js';
import { positionOf } from './stored-snapshots.js';
import type { TermRuns } from './term-runs.js';

type WriteOperation =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/** What `openLevelStorage` verified and hands to the store. */
export interface OpenedState {
  /** The format version stored; 1 is upgraded by the first snapshot or compaction write. */
  readonly version: number;
  readonly snapshot: SnapshotRecord | undefined;
  /** The last discarded entry (index 0, term 0 on a log never compacted). */
  readonly offset: LogPosition;
  readonly nextSnapshotId: number;
  /** Index of the last entry on disk (the offset's index when none is). */
  readonly lastIndex: number;
  /** Terms of the entries (offset, lastIndex]. */
  readonly terms: TermRuns;
}

/**
 * The store behind {@link LevelStorage}: the log's bounds, its terms and the current snapshot record
 * are kept in memory and changed only after the synced batch that changes them on disk resolved.
 */
export class LevelDbStorage implements LevelStorage, SnapshotWriterHost, SnapshotReaderHost {
  private readonly queue = new OperationQueue();
  private closing: Promise<void> | undefined;
  /** Set when a write failed: the disk state is unknown, so the store takes no further calls. */
  private failure: { readonly error: unknown } | undefined;
  private readonly deletions = new BackgroundDeletions((error) => {
    this.failure ??= { error };
  });
  private version: number;
  private snapshot: SnapshotRecord | undefined;
  /**
   * The snapshot the current one replaced, whose chunks are kept until the next save or install (or
   * the next open) so that a reader opened before the switch can still start a pass over it.
   */
  private superseded: SnapshotRecord | undefined;
  private offset: LogPosition;
  private nextSnapshotId: number;
  private lastIndexHeld: number;
  private readonly terms: TermRuns;

  constructor(
    readonly directory: string,
    private readonly db: BinaryLevel,
    opened: OpenedState,
  ) {
    this.version = opened.version;
    this.snapshot = opened.snapshot;
    this.offset = opened.offset;
    this.nextSnapshotId = opened.nextSnapshotId;
    this.lastIndexHeld = opened.lastIndex;
    this.terms = opened.terms;
  }

  load(): Promise<PersistedState> {
    return this.enqueue(async () => {
      const hardState = await readHardState(this.db, this.directory);
      const entries = await readEntries(
        this.db,
        this.directory,
        this.offset.index + 1,
        this.lastIndexHeld + 1,
      );
      const snapshot = this.snapshot?.meta;
      const implied = snapshot === undefined ? { index: 0, term: 0 } : positionOf(this.snapshot!);
      const state = { hardState, snapshot, entries };
      // `compacted` is only spelled out when it differs from what its absence means.
      const isImplied = implied.index === this.offset.index && implied.term === this.offset.term;
      return isImplied ? state : { ...state, compacted: { ...this.offset } };
    });
  }

  persist(batch: PersistBatch): Promise<void> {
    return this.enqueue(() => this.writeBatch(batch));
  }

  entries(from: number, to: number): Promise<Entry[]> {
    return this.enqueue(async () => {
      const first = this.offset.index + 1;
      const end = this.lastIndexHeld + 1;
      const valid = Number.isSafeInteger(from) && Number.isSafeInteger(to);
      if (!valid || from < first || to > end || from > to) {
        throw new StorageRangeError(`entries [${from}, ${to}) are outside [${first}, ${end})`);
      }
      return readEntries(this.db, this.directory, from, to);
    });
  }

  term(index: number): Promise<number | undefined> {
    return this.enqueue(async () => this.termAt(index));
  }

  firstIndex(): Promise<number> {
    return this.enqueue(async () => this.offset.index + 1);
  }

  lastIndex(): Promise<number> {
    return this.enqueue(async () => this.lastIndexHeld);
  }

  beginSnapshot(meta: SnapshotMeta): Promise<SnapshotWriter> {
    return this.enqueue(async () => {
      const { voters, outgoingVoters, learners } = meta.config;
      const config = { voters: [...voters], outgoingVoters: [...outgoingVoters], learners: [...learners] };
      const copy = { index: meta.index, term: meta.term, config };
      return new LevelSnapshotWriter(copy, this.nextSnapshotId++, this);
    });
  }

  readSnapshot(): Promise<SnapshotReader | undefined> {
    return this.enqueue(async () => {
      const snapshot = this.snapshot;
      return snapshot === undefined ? undefined : levelSnapshotReader(snapshot, this);
    });
  }

  compact(index: number): Promise<void> {
    return this.enqueue(async () => {
      const covered = this.snapshot?.meta.index ?? 0;
      if (!Number.isSafeInteger(index) || index > covered) {
        throw new StorageRangeError(`cannot compact through ${index}: the snapshot covers only ${covered}`);
      }
      if (index <= this.offset.index) return;
      const term = this.termAt(index);
      if (term === undefined) throw new StorageRangeError(`cannot compact through ${index}: no such entry`);
      const bound = { index, term };
      const discardFrom = this.offset.index + 1;
      // Only the bound is synced: from then on the entries through it are garbage (open skips and
      // deletes them), so they are deleted beside later calls rather than in front of them.
      await this.commit([{ type: 'put', key: COMPACTION_BOUND_KEY, value: encodeCompactionBound(bound) }]);
      this.offset = bound;
      this.terms.dropBefore(index + 1);
      this.deleteEntriesInBackground(discardFrom, index);
    });
  }

  close(): Promise<void> {
    // Calls queued before close still run; LevelDB closes after them (and closes open iterators).
    this.closing ??= this.queue
      .drain()
      .then(() => this.deletions.settled())
      .then(() => this.db.close());
    return this.closing;
  }

  // SnapshotWriterHost

  writeChunk(snapshotId: number, chunk: number, data: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      const key = chunkKey(snapshotId, chunk);
      // Synced, not left to the save batch's sync: LevelDB (1.20, db_impl.cc MakeRoomForWrite) closes
      // a full log file without syncing it when it switches memtables, so a later synced write does
      // not make earlier unsynced ones durable once a switch fell in between (a 100 MB snapshot spans
      // about 25 switches of the 4 MB write buffer). See the README's atomicity section.
      await this.write(() => this.db.put(key, sealChunk(key, data), { sync: true }));
    });
  }

  saveSnapshot(record: SnapshotRecord): Promise<void> {
    return this.enqueue(async () => {
      const { meta } = record;
      const current = this.snapshot?.meta.index ?? 0;
      if (meta.index < current) {
        throw new StorageRangeError(`snapshot at ${meta.index} is older than the one held (${current})`);
      }
      if (meta.index > this.lastIndexHeld || this.termAt(meta.index) !== meta.term) {
        throw new StorageRangeError(
          `snapshot at (${meta.index}, term ${meta.term}) is not an entry of this log (last ${this.lastIndexHeld})`,
        );
      }
      await this.commit([{ type: 'put', key: SNAPSHOT_RECORD_KEY, value: encodeSnapshotRecord(record) }]);
      this.replaceSnapshot(record);
    });
  }

  installSnapshot(record: SnapshotRecord): Promise<void> {
    return this.enqueue(async () => {
      const { meta } = record;
      const current = this.snapshot?.meta.index ?? 0;
      if (!Number.isSafeInteger(meta.index) || meta.index <= current || meta.index < 1) {
        throw new StorageRangeError(`cannot install a snapshot at ${meta.index}: the store holds ${current}`);
      }
      // Raft §7: a log that agrees with the snapshot at its last entry agrees before it too (Log
      // Matching), so the entries after it stay; otherwise the whole log is discarded.
      const keepsSuffix = meta.index <= this.lastIndexHeld && this.termAt(meta.index) === meta.term;
      const discardFrom = this.offset.index + 1;
      // Entries above the snapshot that disagree with it go in the batch (new entries will take those
      // indices); the ones at or below it are garbage once the bound lands, deleted after it.
      const operations = keepsSuffix ? [] : this.deleteEntries(meta.index + 1, this.lastIndexHeld);
      const bound = positionOf(record);
      operations.push({ type: 'put', key: COMPACTION_BOUND_KEY, value: encodeCompactionBound(bound) });
      const hardState = await readHardState(this.db, this.directory);
      if (hardState.commit < meta.index) {
        const raised = encodeHardState({ ...hardState, commit: meta.index });
        operations.push({ type: 'put', key: HARD_STATE_KEY, value: sealValue(raised) });
      }
      operations.push({ type: 'put', key: SNAPSHOT_RECORD_KEY, value: encodeSnapshotRecord(record) });
      // One synced batch: snapshot switch, log rebase and commit raise, all or nothing.
      await this.commit(operations);
      if (keepsSuffix) {
        this.terms.dropBefore(meta.index + 1);
      } else {
        this.terms.truncateFrom(0);
        this.lastIndexHeld = meta.index;
      }
      this.offset = bound;
      this.deleteEntriesInBackground(discardFrom, meta.index);
      this.replaceSnapshot(record);
    });
  }

  discardChunks(snapshotId: number): Promise<void> {
    // After close there is nothing to do: the next open deletes chunks no snapshot record names.
    if (this.closing !== undefined) return Promise.resolve();
    return this.enqueue(() => this.clearChunks(snapshotId));
  }

  // SnapshotReaderHost

  openChunks(record: SnapshotRecord): BinaryIterator {
    if (this.closing !== undefined) throw new StorageClosedError();
    const id = record.snapshotId;
    if (id !== this.snapshot?.snapshotId && id !== this.superseded?.snapshotId) {
      throw new StorageRangeError(
        `the snapshot at ${record.meta.index} was superseded twice since this reader was opened; its data is gone`,
      );
    }
    // Created synchronously, before any deletion of these chunks can be issued: the iterator's
    // implicit LevelDB snapshot keeps them readable for the whole pass.
    return this.db.iterator({ ...chunkRange(record), fillCache: false });
  }

  readFailure(error: unknown): unknown {
    return this.closing !== undefined ? new StorageClosedError() : error;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new StorageClosedError());
    return this.queue.run(() => {
      if (this.failure !== undefined) return Promise.reject(this.failure.error);
      return operation();
    });
  }

  /** Term of `index`: an entry held, the compaction point, or the snapshot's last entry. */
  private termAt(index: number): number | undefined {
    if (index === this.offset.index) return this.offset.term;
    const snapshot = this.snapshot?.meta;
    if (snapshot !== undefined && index === snapshot.index) return snapshot.term;
    if (!Number.isSafeInteger(index) || index < this.offset.index || index > this.lastIndexHeld)
      return undefined;
    return this.terms.termAt(index);
  }

  /** Makes `record` current after its batch landed; releases the chunks no reader may need any more. */
  private replaceSnapshot(record: SnapshotRecord): void {
    const released = this.superseded;
    this.superseded = this.snapshot;
    this.snapshot = record;
    // Released before the deletion is issued, so no new pass can start over chunks being deleted.
    if (released !== undefined) this.deletions.start(() => this.clearChunks(released.snapshotId));
  }

  /** Deletes every chunk of `snapshotId`. Not synced: garbage that survives a crash is deleted at open. */
  private clearChunks(snapshotId: number): Promise<void> {
    return this.write(() => this.db.clear({ gte: chunkKey(snapshotId, 0), lt: chunkKey(snapshotId + 1, 0) }));
  }

  /** Deletes the entries [from, to], all at or below the compaction bound, beside later calls. */
  private deleteEntriesInBackground(from: number, to: number): void {
    if (from > to) return;
    this.deletions.start(() => this.write(() => this.db.clear({ gte: entryKey(from), lte: entryKey(to) })));
  }

  /** Delete operations for the entries [from, to]. */
  private deleteEntries(from: number, to: number): WriteOperation[] {
    const operations: WriteOperation[] = [];
    for (let index = from; index <= to; index++) operations.push({ type: 'del', key: entryKey(index) });
    return operations;
  }

  /** Writes `operations` as one synced batch, stamping the format version a snapshot write needs. */
  private async commit(operations: WriteOperation[]): Promise<void> {
    const upgrade = this.version !== FORMAT_VERSION;
    if (upgrade) {
      operations.push({ type: 'put', key: FORMAT_VERSION_KEY, value: encodeFormatVersion(FORMAT_VERSION) });
    }
    await this.write(() => this.writeSynced(operations));
    if (upgrade) this.version = FORMAT_VERSION;
  }

  /**
   * One atomic, synced LevelDB write. Through a chained batch rather than `db.batch(array)`: the array
   * form copies and re-validates every operation in JavaScript before the native call, which cost about
   * twice the CPU per 20-entry batch in our measurement (see tooling/bench/README.md).
   */
  private async writeSynced(operations: readonly WriteOperation[]): Promise<void> {
    const batch = this.db.batch();
    try {
      for (const operation of operations) {
        if (operation.type === 'put') batch.put(operation.key, operation.value);
        else batch.del(operation.key);
      }
    } catch (error) {
      await batch.close();
      throw error;
    }
    // classic-level defaults to sync: false, which may lose acknowledged writes on power loss.
    await batch.write({ sync: true });
  }

  /** Runs a LevelDB write; a failure poisons the store, because what reached the disk is unknown. */
  private async write(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }

  private async writeBatch(batch: PersistBatch): Promise<void> {
    const { entries, hardState } = batch;
    const first = entries[0];
    const operations: WriteOperation[] = [];
    let newLastIndex = this.lastIndexHeld;
    // Validate and encode everything before writing anything: a refused batch leaves no trace.
    if (first !== undefined) {
      const floor = Math.max(this.offset.index, this.snapshot?.meta.index ?? 0);
      if (!Number.isSafeInteger(first.index) || first.index <= floor) {
        throw new StorageRangeError(
          `cannot write at index ${first.index}: entries up to ${floor} are compacted or in the snapshot`,
        );
      }
      checkContiguous(entries, Math.min(first.index, this.lastIndexHeld + 1));
      newLastIndex = first.index + entries.length - 1;
      // Raft §5.3: the batch replaces every entry at and above its first index. Puts overwrite the
      // overlap; the old entries past the batch's end are deleted in the same atomic batch.
      const deletions = Math.max(0, this.lastIndexHeld - newLastIndex);
      // One buffer for every key and value of the batch, entries encoded straight into it: allocating
      // per record costs more than the checksums (LevelDB copies the bytes into its write batch).
      let bytes = (entries.length + deletions) * ENTRY_KEY_BYTES;
      for (const entry of entries) bytes += CHECKSUM_BYTES + encodedEntrySize(entry);
      const slab = new Uint8Array(bytes);
      let offset = 0;
      entries.forEach((entry, position) => {
        const key = writeEntryKey(slab, offset, first.index + position);
        offset += ENTRY_KEY_BYTES;
        const frame = encodeEntryInto(entry, slab, offset + CHECKSUM_BYTES);
        const value = sealInPlace(slab, offset, frame.length);
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
    await this.write(() => this.writeSynced(operations));
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
