import type { ClusterConfig, Entry, HardState, SnapshotMeta } from '../engine/types.js';
import type { PersistBatch, PersistedState, Storage } from '../interfaces/storage.js';
import { StorageClosedError, StorageGapError, StorageRangeError } from '../interfaces/storage.js';

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * State to start from, as if it had been persisted earlier: for example another store's
   * {@link MemoryStorage.contents}, to simulate a restart. Its entries must follow the snapshot (or
   * start at index 1) without gaps. The store keeps its own copy.
   */
  readonly initial?: PersistedState;
}

/** A {@link Storage} held in memory, plus a way for tests to look inside. */
export interface MemoryStorage extends Storage {
  /**
   * A deep copy of everything persisted so far (entry bytes included). Still works after
   * {@link Storage.close}, so a test can "reopen" the same data with `memoryStorage({ initial })`.
   */
  contents(): PersistedState;
}

/**
 * A Storage that keeps everything in process memory: for tests, simulations and embedding where the
 * state may be lost with the process. It is NOT durable: `persist` resolves without anything reaching
 * a disk. Otherwise it follows the {@link Storage} contract exactly, so it is a faithful stand-in:
 *
 * - `persist` is atomic: a batch is validated before anything changes, and a refused batch changes
 *   nothing. Entries at or above a batch's first index are replaced (Raft §5.3).
 * - Entries stay contiguous: a batch that would leave a gap is refused with {@link StorageGapError};
 *   one that starts below {@link Storage.firstIndex} (inside the snapshot) with {@link StorageRangeError}.
 * - `entries(from, to)` rejects with {@link StorageRangeError} unless
 *   firstIndex <= from <= to <= lastIndex + 1.
 * - `term(0)` is 0 on a log without a snapshot: the empty prefix every log starts from.
 * - After `close()` every call but `close()` and `contents()` rejects with {@link StorageClosedError};
 *   `close()` may be called again.
 * - The store copies entry bytes when they are persisted, so a caller may reuse its buffers; entries it
 *   returns are shared with the store and must be treated as immutable (as the Entry contract says).
 *
 * Persisting costs time proportional to the batch (amortised), not to the log.
 *
 * @example
 * ```ts
 * const storage = memoryStorage();
 * await storage.persist({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: [] });
 * const restarted = memoryStorage({ initial: storage.contents() });
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  return new InMemoryStorage(options.initial);
}

const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

class InMemoryStorage implements MemoryStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private readonly snapshot: SnapshotMeta | undefined;
  /** Index of the entry before `log[0]`: the snapshot's index, or 0. */
  private readonly offset: number;
  /** `log[i]` holds the entry at index `offset + 1 + i`. */
  private readonly log: Entry[] = [];
  private closed = false;

  constructor(initial: PersistedState | undefined) {
    this.snapshot = initial?.snapshot === undefined ? undefined : copySnapshot(initial.snapshot);
    this.offset = this.snapshot?.index ?? 0;
    if (initial === undefined) return;
    this.hardState = { ...initial.hardState };
    checkContiguous(initial.entries, this.offset + 1);
    for (const entry of initial.entries) this.log.push(copyEntry(entry));
  }

  async load(): Promise<PersistedState> {
    this.assertOpen();
    return { hardState: this.hardState, snapshot: this.snapshot, entries: this.log.slice() };
  }

  async persist(batch: PersistBatch): Promise<void> {
    this.assertOpen();
    const first = batch.entries[0];
    // Validate everything before changing anything: a refused batch must leave no trace (atomicity).
    if (first !== undefined) {
      if (!Number.isSafeInteger(first.index) || first.index <= this.offset) {
        throw new StorageRangeError(
          `cannot write at index ${first.index}: the log starts at ${this.offset + 1}`,
        );
      }
      checkContiguous(batch.entries, Math.min(first.index, this.lastIndexNow() + 1));
      // Drop the suffix the batch replaces; setting length costs only what is removed.
      this.log.length = first.index - this.offset - 1;
      for (const entry of batch.entries) this.log.push(copyEntry(entry));
    }
    if (batch.hardState !== undefined) this.hardState = { ...batch.hardState };
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    this.assertOpen();
    const firstIndex = this.offset + 1;
    const end = this.lastIndexNow() + 1;
    const valid = Number.isSafeInteger(from) && Number.isSafeInteger(to);
    if (!valid || from < firstIndex || to > end || from > to) {
      throw new StorageRangeError(`entries [${from}, ${to}) are outside [${firstIndex}, ${end})`);
    }
    return this.log.slice(from - this.offset - 1, to - this.offset - 1);
  }

  async term(index: number): Promise<number | undefined> {
    this.assertOpen();
    if (this.snapshot !== undefined && index === this.snapshot.index) return this.snapshot.term;
    if (this.snapshot === undefined && index === 0) return 0;
    if (!Number.isSafeInteger(index) || index <= this.offset) return undefined;
    return this.log[index - this.offset - 1]?.term;
  }

  async firstIndex(): Promise<number> {
    this.assertOpen();
    return this.offset + 1;
  }

  async lastIndex(): Promise<number> {
    this.assertOpen();
    return this.lastIndexNow();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  contents(): PersistedState {
    return {
      hardState: { ...this.hardState },
      snapshot: this.snapshot === undefined ? undefined : copySnapshot(this.snapshot),
      entries: this.log.map(copyEntry),
    };
  }

  private lastIndexNow(): number {
    return this.offset + this.log.length;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }
}

/** Throws {@link StorageGapError} unless `entries` have indices `start`, `start + 1`, ... */
function checkContiguous(entries: readonly Entry[], start: number): void {
  entries.forEach((entry, position) => {
    if (entry.index !== start + position) throw new StorageGapError(start + position, entry.index);
  });
}

function copyEntry(entry: Entry): Entry {
  return { index: entry.index, term: entry.term, type: entry.type, data: entry.data.slice() };
}

function copySnapshot(snapshot: SnapshotMeta): SnapshotMeta {
  return { index: snapshot.index, term: snapshot.term, config: copyConfig(snapshot.config) };
}

function copyConfig(config: ClusterConfig): ClusterConfig {
  return {
    voters: [...config.voters],
    outgoingVoters: [...config.outgoingVoters],
    learners: [...config.learners],
  };
}
