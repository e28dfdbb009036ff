import type { InstallSnapshot, SnapshotTransferStatus } from '../engine/messages.js';
import type { NodeId, SnapshotMeta } from '../engine/types.js';
import type { SnapshotWriter } from '../interfaces/storage.js';
import type { SnapshotHost } from './snapshot-host.js';

interface Incoming {
  readonly leader: NodeId;
  readonly term: number;
  readonly transferId: number;
  readonly meta: SnapshotMeta;
  readonly writer: SnapshotWriter;
  received: number;
  idleTicks: number;
}

/** Election timeouts without a chunk before a half-received snapshot is dropped. */
const ABANDON_AFTER_TIMEOUTS = 4;

/**
 * The follower's side of a snapshot transfer (Raft §7): chunks are written to a storage snapshot
 * writer in order (one transfer at a time; a new transfer from offset 0 replaces an older one), each
 * acknowledged with the bytes held so far. The last chunk triggers the install, done alone with no
 * engine input in between: storage installs atomically (a crash leaves the old state or the new one),
 * the state machine restores from what storage now holds, and the engine rebases its log.
 */
export class SnapshotReceiver {
  private incoming: Incoming | undefined;
  /** Chunks are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly host: SnapshotHost) {}

  /** A chunk the engine accepted (`wantsSnapshot`), or one to answer without storing. */
  onChunk(message: InstallSnapshot, wanted: boolean): void {
    this.queue = this.queue
      .then(() => (wanted ? this.handle(message) : this.reply(message, 'installed', 0)))
      .catch((error: unknown) => this.host.fail(error));
  }

  private async handle(message: InstallSnapshot): Promise<void> {
    if (!this.host.running()) return;
    let incoming = this.incoming;
    const sameTransfer =
      incoming !== undefined &&
      incoming.leader === message.from &&
      incoming.term === message.term &&
      incoming.transferId === message.transferId;
    if (!sameTransfer) {
      // Only the start of a transfer can begin one; a later chunk of an unknown transfer means we
      // restarted or replaced it, and the leader must start over.
      if (message.offset !== 0) {
        this.reply(message, 'refused', 0);
        return;
      }
      await this.abandon();
      const writer = await this.host.storage.beginSnapshot!(message.meta);
      incoming = {
        leader: message.from,
        term: message.term,
        transferId: message.transferId,
        meta: message.meta,
        writer,
        received: 0,
        idleTicks: 0,
      };
      this.incoming = incoming;
    }
    if (incoming === undefined) return;
    incoming.idleTicks = 0;
    if (message.offset !== incoming.received) {
      // A duplicate or a chunk after a gap: say where we are; the leader resends from there.
      this.reply(message, 'receiving', incoming.received);
      return;
    }
    await incoming.writer.write(message.data);
    incoming.received += message.data.length;
    if (!message.done) {
      this.reply(message, 'receiving', incoming.received);
      return;
    }
    this.incoming = undefined;
    const installed = await this.install(incoming);
    this.reply(message, installed ? 'installed' : 'refused', incoming.received);
  }

  private async install(incoming: Incoming): Promise<boolean> {
    const { meta, writer } = incoming;
    const startedAt = this.host.clock.now();
    return this.host.exclusive(async (engine) => {
      // Nothing moves the engine during this task, so this check still holds when the log is rebased.
      if (!this.host.running() || meta.index <= engine.status().commitIndex) {
        await writer.abort();
        return false;
      }
      await writer.install();
      const reader = await this.host.storage.readSnapshot!();
      if (reader === undefined || reader.meta.index !== meta.index) {
        throw new Error(`storage does not hold the snapshot at ${meta.index} it just installed`);
      }
      await this.host.stateMachine.restore!(reader.chunks());
      engine.restoreSnapshot(meta);
      this.host.restored(meta.index);
      this.host.observer?.({
        type: 'snapshot-installed',
        index: meta.index,
        term: meta.term,
        bytes: incoming.received,
        durationMs: this.host.clock.now() - startedAt,
      });
      return true;
    });
  }

  private reply(message: InstallSnapshot, status: SnapshotTransferStatus, received: number): void {
    if (!this.host.running()) return;
    this.host.send({
      type: 'InstallSnapshotResponse',
      from: this.host.id,
      to: message.from,
      term: this.host.engine().status().term,
      transferId: message.transferId,
      snapshotIndex: message.meta.index,
      received,
      status,
    });
  }

  /** Once per tick: a transfer that went silent is dropped, so its staged data does not linger. */
  tick(electionTicks: number): void {
    const incoming = this.incoming;
    if (incoming === undefined) return;
    incoming.idleTicks++;
    if (incoming.idleTicks >= ABANDON_AFTER_TIMEOUTS * electionTicks) {
      this.queue = this.queue.then(() => this.abandon()).catch((error: unknown) => this.host.fail(error));
    }
  }

  /** Drop the transfer in progress, if any. */
  async abandon(): Promise<void> {
    const incoming = this.incoming;
    this.incoming = undefined;
    if (incoming !== undefined) await incoming.writer.abort();
  }
}
