import type { Message } from '../engine/messages.js';
import type { Raft } from '../engine/raft.js';
import type { NodeId } from '../engine/types.js';
import type { Clock } from '../interfaces/clock.js';
import type { Observer } from '../interfaces/observer.js';
import type { StateMachine } from '../interfaces/state-machine.js';
import type { Storage } from '../interfaces/storage.js';
import type { ResolvedSnapshotOptions } from './snapshot-options.js';

/** What the snapshot parts of the driver (taking, sending, receiving) need from the node around them. */
export interface SnapshotHost {
  readonly id: NodeId;
  readonly storage: Storage;
  readonly stateMachine: StateMachine<unknown>;
  readonly observer: Observer | undefined;
  readonly clock: Clock;
  readonly options: ResolvedSnapshotOptions;
  /** The running engine (read it; change it only through `input` or inside `exclusive`). */
  engine(): Raft;
  /** Whether the node is still running; background work stops quietly once it is not. */
  running(): boolean;
  /** Feed an input to the engine and carry out what it produced. */
  input(feed: (engine: Raft) => void): void;
  /**
   * Run `task` alone: after the batch in flight, with no new batch and no engine input until it ends
   * (inputs arriving meanwhile are queued), so the engine and storage do not move under it.
   */
  exclusive<T>(task: (engine: Raft) => Promise<T>): Promise<T>;
  send(message: Message): void;
  /** The state machine now holds the snapshot at `index` (entries up to it count as applied). */
  restored(index: number): void;
  /** Fail the node for good (a storage or state machine error). */
  fail(error: unknown): void;
  /** A fresh id, unique for this node instance. */
  nextId(): number;
}

/** A snapshot's metadata and data are usable here: both parts present. */
export function snapshotsSupported(host: Pick<SnapshotHost, 'storage' | 'stateMachine'>): boolean {
  const { storage, stateMachine } = host;
  return (
    typeof stateMachine.snapshot === 'function' &&
    typeof stateMachine.restore === 'function' &&
    typeof storage.beginSnapshot === 'function' &&
    typeof storage.readSnapshot === 'function' &&
    typeof storage.compact === 'function'
  );
}
