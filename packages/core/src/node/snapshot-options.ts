import { InvalidOptionsError } from '../engine/options.js';

/**
 * When a node snapshots its state machine and compacts its log, and how it streams snapshots to
 * followers (Raft §7). Snapshots need a state machine with `snapshot` and `restore` and a storage with
 * `beginSnapshot`, `readSnapshot` and `compact`; without them the node never compacts.
 */
export interface SnapshotOptions {
  /**
   * Take a snapshot every this many entries. Each member takes it at its own point of the interval
   * (spread by rank in sorted id order), so members do not all pause at the same index; the first one
   * comes after one to two intervals, and one may come sooner after a membership change. Default
   * 10,000.
   */
  readonly everyEntries?: number;
  /** ... or once this many bytes of entry data were applied since the last one. Default 64 MiB. */
  readonly everyBytes?: number;
  /**
   * Entries kept in the log behind a snapshot, so a follower that is only a little behind catches up
   * from the log rather than a whole snapshot. Default 5,000.
   */
  readonly keepEntries?: number;
  /** Bytes per InstallSnapshot chunk sent to a follower. Default 256 KiB. */
  readonly chunkBytes?: number;
  /**
   * Unacknowledged chunks in flight per follower: the flow control that keeps a transfer from
   * filling the network queue ahead of heartbeats and appends. Memory per transfer is about
   * chunkBytes x windowChunks on the leader and one chunk on the follower. Default 4.
   */
  readonly windowChunks?: number;
}

export type ResolvedSnapshotOptions = Required<SnapshotOptions>;

/** Fill in defaults and reject values that cannot work. */
export function resolveSnapshotOptions(options: SnapshotOptions | undefined): ResolvedSnapshotOptions {
  const resolved: ResolvedSnapshotOptions = {
    everyEntries: options?.everyEntries ?? 10_000,
    everyBytes: options?.everyBytes ?? 64 * 1024 * 1024,
    keepEntries: options?.keepEntries ?? 5_000,
    chunkBytes: options?.chunkBytes ?? 256 * 1024,
    windowChunks: options?.windowChunks ?? 4,
  };
  for (const [name, value] of Object.entries(resolved)) {
    const min = name === 'keepEntries' ? 0 : 1;
    if (!(Number.isSafeInteger(value) && value >= min)) {
      throw new InvalidOptionsError(`snapshot.${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  return resolved;
}
