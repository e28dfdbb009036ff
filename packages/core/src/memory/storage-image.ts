import type { ClusterConfig, Entry, HardState, LogPosition, SnapshotMeta } from '../engine/types.js';
import type { PersistBatch, PersistedState } from '../interfaces/storage.js';
import { StorageGapError, StorageRangeError } from '../interfaces/storage.js';

/** A snapshot held in memory: metadata and data chunks (never modified once stored). */
export interface StoredSnapshot {
  readonly meta: SnapshotMeta;
  readonly chunks: readonly Uint8Array[];
}

/** Everything a {@link StorageImage} holds: a store's durable contents. */
export interface StorageImageContents extends PersistedState {
  /** The snapshot's data, when there is a snapshot. */
  readonly snapshotData?: readonly Uint8Array[] | undefined;
}

const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/**
 * The contents of a store as plain memory, with every rule of the `Storage` contract applied
 * synchronously: validation before mutation (a refused call changes nothing), suffix replacement,
 * contiguity, snapshots saved or installed atomically, and compaction. `memoryStorage` is built on it;
 * so is the simulator's disk in `@raft/testkit`, which applies the same calls later to model latency
 * and crashes. Use it to build wrapped or simulated storages that must behave exactly like a store.
 */
export class StorageImage {
  private hardStateValue: HardState = EMPTY_HARD_STATE;
  private snapshotValue: StoredSnapshot | undefined;
  /** The last discarded entry; `log[i]` holds index `offset.index + 1 + i`. */
  private offset: LogPosition = { index: 0, term: 0 };
  private readonly log: Entry[] = [];

  constructor(initial?: StorageImageContents) {
    if (initial === undefined) return;
    this.hardStateValue = { ...initial.hardState };
    if (initial.snapshot !== undefined) {
      this.snapshotValue = {
        meta: copySnapshotMeta(initial.snapshot),
        chunks: (initial.snapshotData ?? []).map((chunk) => chunk.slice()),
      };
    }
    const snapshot = initial.snapshot;
    this.offset = initial.compacted ?? (snapshot === undefined ? this.offset : position(snapshot));
    checkContiguous(initial.entries, this.offset.index + 1);
    for (const entry of initial.entries) this.log.push(copyEntry(entry));
  }

  get hardState(): HardState {
    return this.hardStateValue;
  }

  get snapshot(): StoredSnapshot | undefined {
    return this.snapshotValue;
  }

  load(): PersistedState {
    const state = {
      hardState: this.hardStateValue,
      snapshot: this.snapshotValue?.meta,
      entries: this.log.slice(),
    };
    // `compacted` is only spelled out when it differs from what its absence means.
    return this.offsetIsImplied() ? state : { ...state, compacted: this.offset };
  }

  private offsetIsImplied(): boolean {
    const implied = this.snapshotValue?.meta ?? { index: 0, term: 0 };
    return implied.index === this.offset.index && implied.term === this.offset.term;
  }

  persist(batch: PersistBatch): void {
    const first = batch.entries[0];
    // Validate everything before changing anything: a refused batch must leave no trace (atomicity).
    if (first !== undefined) {
      const floor = Math.max(this.offset.index, this.snapshotValue?.meta.index ?? 0);
      if (!Number.isSafeInteger(first.index) || first.index <= floor) {
        throw new StorageRangeError(
          `cannot write at index ${first.index}: entries up to ${floor} are compacted or in the snapshot`,
        );
      }
      checkContiguous(batch.entries, Math.min(first.index, this.lastIndex() + 1));
      // Drop the suffix the batch replaces; setting length costs only what is removed.
      this.log.length = first.index - this.offset.index - 1;
      for (const entry of batch.entries) this.log.push(copyEntry(entry));
    }
    if (batch.hardState !== undefined) this.hardStateValue = { ...batch.hardState };
  }

  entries(from: number, to: number): Entry[] {
    const firstIndex = this.firstIndex();
    const end = this.lastIndex() + 1;
    const valid = Number.isSafeInteger(from) && Number.isSafeInteger(to);
    if (!valid || from < firstIndex || to > end || from > to) {
      throw new StorageRangeError(`entries [${from}, ${to}) are outside [${firstIndex}, ${end})`);
    }
    return this.log.slice(from - this.offset.index - 1, to - this.offset.index - 1);
  }

  term(index: number): number | undefined {
    if (index === this.offset.index) return this.offset.term;
    const snapshot = this.snapshotValue?.meta;
    if (snapshot !== undefined && index === snapshot.index) return snapshot.term;
    if (!Number.isSafeInteger(index) || index < this.offset.index) return undefined;
    return this.log[index - this.offset.index - 1]?.term;
  }

  firstIndex(): number {
    return this.offset.index + 1;
  }

  lastIndex(): number {
    return this.offset.index + this.log.length;
  }

  /** Check that {@link saveSnapshot} would accept `meta`, without changing anything. */
  checkSave(meta: SnapshotMeta): void {
    const current = this.snapshotValue?.meta.index ?? 0;
    if (meta.index < current) {
      throw new StorageRangeError(`snapshot at ${meta.index} is older than the one held (${current})`);
    }
    if (meta.index > this.lastIndex() || this.term(meta.index) !== meta.term) {
      throw new StorageRangeError(
        `snapshot at (${meta.index}, term ${meta.term}) is not an entry of this log (last ${this.lastIndex()})`,
      );
    }
  }

  /** Make `chunks` the snapshot; the log stays as it is. */
  saveSnapshot(meta: SnapshotMeta, chunks: readonly Uint8Array[]): void {
    this.checkSave(meta);
    this.snapshotValue = { meta: copySnapshotMeta(meta), chunks: [...chunks] };
  }

  /** Check that {@link installSnapshot} would accept `meta`, without changing anything. */
  checkInstall(meta: SnapshotMeta): void {
    const current = this.snapshotValue?.meta.index ?? 0;
    if (!Number.isSafeInteger(meta.index) || meta.index <= current || meta.index < 1) {
      throw new StorageRangeError(`cannot install a snapshot at ${meta.index}: the store holds ${current}`);
    }
  }

  /** Make `chunks` the snapshot and rebase the log on it (Raft §7), in one step. */
  installSnapshot(meta: SnapshotMeta, chunks: readonly Uint8Array[]): void {
    this.checkInstall(meta);
    if (this.term(meta.index) === meta.term && meta.index <= this.lastIndex()) {
      // The log agrees with the snapshot at its last entry, so it agrees before it too (Log Matching):
      // the entries after it are still valid and are kept.
      this.log.splice(0, meta.index - this.offset.index);
    } else {
      this.log.length = 0;
    }
    this.offset = position(meta);
    this.snapshotValue = { meta: copySnapshotMeta(meta), chunks: [...chunks] };
    if (this.hardStateValue.commit < meta.index) {
      this.hardStateValue = { ...this.hardStateValue, commit: meta.index };
    }
  }

  /** Check that {@link compact} would accept `index`, without changing anything. */
  checkCompact(index: number): void {
    const covered = this.snapshotValue?.meta.index ?? 0;
    if (!Number.isSafeInteger(index) || index > covered) {
      throw new StorageRangeError(`cannot compact through ${index}: the snapshot covers only ${covered}`);
    }
  }

  /** Discard entries up to and including `index`. */
  compact(index: number): void {
    this.checkCompact(index);
    if (index <= this.offset.index) return;
    const term = this.term(index);
    if (term === undefined) throw new StorageRangeError(`cannot compact through ${index}: no such entry`);
    this.log.splice(0, index - this.offset.index);
    this.offset = { index, term };
  }

  /** A deep copy of everything held. */
  contents(): StorageImageContents {
    const snapshot = this.snapshotValue;
    const contents: StorageImageContents = {
      hardState: { ...this.hardStateValue },
      snapshot: snapshot === undefined ? undefined : copySnapshotMeta(snapshot.meta),
      entries: this.log.map(copyEntry),
    };
    return {
      ...contents,
      ...(snapshot === undefined ? {} : { snapshotData: snapshot.chunks.map((chunk) => chunk.slice()) }),
      ...(this.offsetIsImplied() ? {} : { compacted: { ...this.offset } }),
    };
  }
}

function position(meta: SnapshotMeta): LogPosition {
  return { index: meta.index, term: meta.term };
}

/** Throws {@link StorageGapError} unless `entries` have indices `start`, `start + 1`, ... */
function checkContiguous(entries: readonly Entry[], start: number): void {
  entries.forEach((entry, index) => {
    if (entry.index !== start + index) throw new StorageGapError(start + index, entry.index);
  });
}

function copyEntry(entry: Entry): Entry {
  return { index: entry.index, term: entry.term, type: entry.type, data: entry.data.slice() };
}

/** A deep copy of snapshot metadata. */
export function copySnapshotMeta(meta: SnapshotMeta): SnapshotMeta {
  return { index: meta.index, term: meta.term, config: copyConfig(meta.config) };
}

function copyConfig(config: ClusterConfig): ClusterConfig {
  return {
    voters: [...config.voters],
    outgoingVoters: [...config.outgoingVoters],
    learners: [...config.learners],
  };
}
