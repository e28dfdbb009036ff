import type { Entry, SnapshotMeta } from '../engine/types.js';
import type {
  PersistBatch,
  PersistedState,
  SnapshotReader,
  SnapshotWriter,
  Storage,
} from '../interfaces/storage.js';
import { StorageClosedError } from '../interfaces/storage.js';
import {
  copySnapshotMeta,
  StorageImage,
  type StorageImageContents,
  type StoredSnapshot,
} from './storage-image.js';

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * State to start from, as if it had been persisted earlier: for example another store's
   * {@link MemoryStorage.contents}, to simulate a restart. Its entries must follow the compaction point
   * (or the snapshot, or start at index 1) without gaps. The store keeps its own copy.
   */
  readonly initial?: StorageImageContents;
}

/** A {@link Storage} held in memory, plus a way for tests to look inside. */
export interface MemoryStorage extends Required<Storage> {
  /**
   * A deep copy of everything saved so far (entry bytes and snapshot data included). Still works after
   * {@link Storage.close}, so a test can "reopen" the same data with `memoryStorage({ initial })`, as a
   * restart would: snapshot writers not yet saved or installed are not part of it.
   */
  contents(): StorageImageContents;
}

/**
 * A Storage that keeps everything in process memory: for tests, simulations and embedding where the
 * state may be lost with the process. It is NOT durable: `persist` resolves without anything reaching
 * a disk. Otherwise it follows the {@link Storage} contract exactly (see {@link StorageImage}), so it is
 * a faithful stand-in:
 *
 * - `persist` is atomic: a batch is validated before anything changes, and a refused batch changes
 *   nothing. Entries at or above a batch's first index are replaced (Raft §5.3).
 * - Entries stay contiguous: a batch that would leave a gap is refused with `StorageGapError`; one that
 *   starts at or below the compaction point or the snapshot with `StorageRangeError`.
 * - Snapshots are written chunk by chunk and become visible only on `save` or `install`, atomically.
 * - After `close()` every call but `close()` and `contents()` rejects with {@link StorageClosedError}.
 * - The store copies entry bytes and snapshot chunks it is given, so a caller may reuse its buffers;
 *   what it returns is shared with the store and must be treated as immutable.
 *
 * @example
 * ```ts
 * const storage = memoryStorage();
 * await storage.persist({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: [] });
 * const restarted = memoryStorage({ initial: storage.contents() });
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  return new InMemoryStorage(new StorageImage(options.initial));
}

class InMemoryStorage implements MemoryStorage {
  private closed = false;

  constructor(private readonly image: StorageImage) {}

  async load(): Promise<PersistedState> {
    this.assertOpen();
    return this.image.load();
  }

  async persist(batch: PersistBatch): Promise<void> {
    this.assertOpen();
    this.image.persist(batch);
  }

  async entries(from: number, to: number): Promise<Entry[]> {
    this.assertOpen();
    return this.image.entries(from, to);
  }

  async term(index: number): Promise<number | undefined> {
    this.assertOpen();
    return this.image.term(index);
  }

  async firstIndex(): Promise<number> {
    this.assertOpen();
    return this.image.firstIndex();
  }

  async lastIndex(): Promise<number> {
    this.assertOpen();
    return this.image.lastIndex();
  }

  async beginSnapshot(meta: SnapshotMeta): Promise<SnapshotWriter> {
    this.assertOpen();
    const copy = copySnapshotMeta(meta);
    return collectingSnapshotWriter(
      copy,
      async (apply) => {
        this.assertOpen();
        apply(this.image);
      },
      () => this.assertOpen(),
    );
  }

  async readSnapshot(): Promise<SnapshotReader | undefined> {
    this.assertOpen();
    const stored = this.image.snapshot;
    return stored === undefined ? undefined : snapshotReader(stored);
  }

  async compact(index: number): Promise<void> {
    this.assertOpen();
    this.image.compact(index);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  contents(): StorageImageContents {
    return this.image.contents();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }
}

/**
 * A snapshot writer that keeps the chunks in memory and, on `save` or `install`, hands one change to
 * `commit`, which applies it to a {@link StorageImage} now (memoryStorage) or later (a simulated disk).
 * Chunks are copied; the writer refuses use after save, install or abort.
 */
export function collectingSnapshotWriter(
  meta: SnapshotMeta,
  commit: (apply: (image: StorageImage) => void) => Promise<void>,
  assertOpen: () => void,
): SnapshotWriter {
  let chunks: Uint8Array[] | undefined = [];
  const take = (): Uint8Array[] => {
    assertOpen();
    if (chunks === undefined) throw new StorageClosedError();
    const taken = chunks;
    chunks = undefined;
    return taken;
  };
  const finish = async (install: boolean): Promise<void> => {
    const taken = take();
    await commit((image) => (install ? image.installSnapshot(meta, taken) : image.saveSnapshot(meta, taken)));
  };
  return {
    meta,
    async write(chunk) {
      assertOpen();
      if (chunks === undefined) throw new StorageClosedError();
      chunks.push(chunk.slice());
    },
    save: () => finish(false),
    install: () => finish(true),
    async abort() {
      chunks = undefined;
    },
  };
}

/** A reader over a stored snapshot; it keeps reading that snapshot even after a newer one is saved. */
export function snapshotReader(stored: StoredSnapshot): SnapshotReader {
  let bytes = 0;
  for (const chunk of stored.chunks) bytes += chunk.byteLength;
  return {
    meta: stored.meta,
    bytes,
    async *chunks() {
      yield* stored.chunks;
    },
  };
}
