import type { Entry, HardState, PersistBatch, PersistedState, Storage } from '@raft/core';
import { StorageRangeError } from '@raft/core';
import type { EventOwner, VirtualScheduler } from './virtual-scheduler.js';

/**
 * What one node's disk really holds: only writes whose completion event ran. It outlives node
 * instances; each (re)start opens a new {@link simulatedStorage} view over it.
 */
export interface SimulatedDisk {
  hardState: HardState;
  entries: Entry[];
  /** Completed writes, for statistics. */
  writes: number;
}

/** An empty disk: term 0, no vote, commit 0, no entries. */
export function createSimulatedDisk(): SimulatedDisk {
  return { hardState: { term: 0, vote: '', commit: 0 }, entries: [], writes: 0 };
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
 * A {@link Storage} over a {@link SimulatedDisk}. Writes complete after a random virtual latency, in the
 * order they were issued, each batch all or nothing; reads see issued writes at once (like a page
 * cache). A crash of the owning instance discards the writes not yet durable: their promises never
 * settle, as if the process died.
 */
export function simulatedStorage(options: SimulatedStorageOptions): Storage {
  const { disk, scheduler, owner } = options;
  // The view: durable contents plus this instance's issued but maybe not yet durable writes.
  let hardState = disk.hardState;
  const entries = disk.entries.slice();
  let lastCompletionAt = 0;
  let closed = false;

  const checkOpen = (): void => {
    if (closed) throw new Error('storage is closed');
  };
  const lastIndex = (): number => entries.length;
  return {
    async load(): Promise<PersistedState> {
      checkOpen();
      return { hardState, snapshot: undefined, entries: entries.slice() };
    },
    persist(batch: PersistBatch): Promise<void> {
      const copy: PersistBatch = { hardState: batch.hardState, entries: batch.entries.slice() };
      try {
        checkOpen();
        applyBatch(entries, copy);
      } catch (error) {
        return Promise.reject(error);
      }
      if (copy.hardState !== undefined) hardState = copy.hardState;
      // A disk completes writes in issue order: never before the previous one.
      const completeAt = Math.max(scheduler.now() + options.latencyMs(), lastCompletionAt);
      lastCompletionAt = completeAt;
      return new Promise((resolve) => {
        const makeDurable = (): void => {
          applyBatch(disk.entries, copy);
          if (copy.hardState !== undefined) disk.hardState = copy.hardState;
          disk.writes++;
          options.onDurable?.(copy);
          if (options.ackBeforeDurable !== true) resolve();
        };
        scheduler.schedule(completeAt - scheduler.now(), makeDurable, {
          owner,
          node: options.node,
          label: 'disk',
        });
        if (options.ackBeforeDurable === true) resolve();
      });
    },
    async entries(from: number, to: number): Promise<Entry[]> {
      checkOpen();
      if (from < 1 || to > lastIndex() + 1 || from > to) {
        throw new StorageRangeError(`entries [${from}, ${to}) outside [1, ${lastIndex() + 1})`);
      }
      return entries.slice(from - 1, to - 1);
    },
    async term(index: number): Promise<number | undefined> {
      checkOpen();
      if (index === 0) return 0;
      return entries[index - 1]?.term;
    },
    async firstIndex(): Promise<number> {
      checkOpen();
      return 1;
    },
    async lastIndex(): Promise<number> {
      checkOpen();
      return lastIndex();
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** Replaces the suffix from the batch's first index (Raft §5.3) and appends the batch. */
function applyBatch(log: Entry[], batch: PersistBatch): void {
  const first = batch.entries[0];
  if (first === undefined) return;
  if (first.index > log.length + 1) {
    throw new Error(`persist leaves a gap: log ends at ${log.length}, batch starts at ${first.index}`);
  }
  log.length = first.index - 1;
  for (const entry of batch.entries) log.push(entry);
}
