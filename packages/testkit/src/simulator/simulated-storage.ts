import {
  collectingSnapshotWriter,
  type Entry,
  type PersistBatch,
  type PersistedState,
  type SnapshotMeta,
  type SnapshotReader,
  type SnapshotWriter,
  type Storage,
  StorageClosedError,
  StorageImage,
  snapshotReader,
} from '@raft/core';
import type { EventOwner, VirtualScheduler } from './virtual-scheduler.js';

/**
 * What one node's disk really holds: only writes whose completion event ran. It outlives node
 * instances; each (re)start opens a new {@link simulatedStorage} view over it.
 */
export interface SimulatedDisk {
  /** The durable contents, with every rule of the Storage contract (core's StorageImage). */
  image: StorageImage;
  /** Completed writes, for statistics. */
  writes: number;
}

/** An empty disk: term 0, no vote, commit 0, no entries, no snapshot. */
export function createSimulatedDisk(): SimulatedDisk {
  return { image: new StorageImage(), writes: 0 };
}

export interface SimulatedStorageOptions {
  readonly disk: SimulatedDisk;
  readonly scheduler: VirtualScheduler;
  /** The node instance; when it dies, its writes still in flight never complete. */
  readonly owner: EventOwner;
  readonly node: string;
  /** Draws the virtual latency of one write in milliseconds. */
  readonly latencyMs: () => number;
  /**
   * Deliberately broken mode for testing the simulator itself: resolve `persist` at once while the
   * write reaches the disk only later, so a crash loses acknowledged data. Never set it otherwise.
   */
  readonly ackBeforeDurable?: boolean;
  /** Called when a write reaches the disk. */
  readonly onDurable?: (batch: PersistBatch) => void;
}

/**
 * A {@link Storage} over a {@link SimulatedDisk}. Every write (persist, snapshot save or install,
 * compaction) is checked and applied to this instance's view at once (like a page cache) and reaches
 * the disk after a random virtual latency, in issue order, all or nothing. A crash of the owning
 * instance discards the writes not yet durable: their promises never settle, as if the process died.
 * Snapshot chunks are staged in the instance's memory, so a crash before `install` resolves loses them.
 */
export function simulatedStorage(options: SimulatedStorageOptions): Storage {
  const { disk, scheduler, owner } = options;
  const view = new StorageImage(disk.image.contents());
  let lastCompletionAt = 0;
  let closed = false;

  const checkOpen = (): void => {
    if (closed) throw new StorageClosedError();
  };
  /** Apply `change` to the view now and to the disk after the latency; resolves when durable. */
  const write = (change: (image: StorageImage) => void, batch?: PersistBatch): Promise<void> => {
    try {
      checkOpen();
      change(view);
    } catch (error) {
      return Promise.reject(error);
    }
    // A disk completes writes in issue order: never before the previous one.
    const completeAt = Math.max(scheduler.now() + options.latencyMs(), lastCompletionAt);
    lastCompletionAt = completeAt;
    return new Promise((resolve) => {
      const makeDurable = (): void => {
        change(disk.image);
        disk.writes++;
        if (batch !== undefined) options.onDurable?.(batch);
        if (options.ackBeforeDurable !== true) resolve();
      };
      scheduler.schedule(completeAt - scheduler.now(), makeDurable, {
        owner,
        node: options.node,
        label: 'disk',
      });
      if (options.ackBeforeDurable === true) resolve();
    });
  };
  const read = async <T>(body: () => T): Promise<T> => {
    checkOpen();
    return body();
  };

  return {
    load: (): Promise<PersistedState> => read(() => view.load()),
    persist(batch: PersistBatch): Promise<void> {
      const copy: PersistBatch = { hardState: batch.hardState, entries: batch.entries.slice() };
      return write((image) => image.persist(copy), copy);
    },
    entries: (from: number, to: number): Promise<Entry[]> => read(() => view.entries(from, to)),
    term: (index: number) => read(() => view.term(index)),
    firstIndex: () => read(() => view.firstIndex()),
    lastIndex: () => read(() => view.lastIndex()),
    // Chunks are staged in this instance's memory: a crash before `install` resolves loses them.
    beginSnapshot: (meta: SnapshotMeta): Promise<SnapshotWriter> =>
      read(() => collectingSnapshotWriter(meta, (apply) => write(apply), checkOpen)),
    readSnapshot: (): Promise<SnapshotReader | undefined> =>
      read(() => {
        const stored = view.snapshot;
        return stored === undefined ? undefined : snapshotReader(stored);
      }),
    compact: (index: number) => write((image) => image.compact(index)),
    async close(): Promise<void> {
      closed = true;
    },
  };
}
