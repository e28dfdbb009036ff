import type { InstallSnapshot, InstallSnapshotResponse } from '../engine/messages.js';
import type { NodeId, SnapshotMeta } from '../engine/types.js';
import { rechunk } from './rechunk.js';
import type { SnapshotHost } from './snapshot-host.js';

interface Chunk {
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
}

interface Transfer {
  readonly to: NodeId;
  readonly id: number;
  readonly term: number;
  readonly meta: SnapshotMeta;
  readonly source: AsyncIterator<Uint8Array>;
  /** Sent and not yet acknowledged, in offset order: at most `windowChunks`. */
  readonly unacked: Chunk[];
  nextOffset: number;
  acked: number;
  sourceDone: boolean;
  filling: boolean;
  idleTicks: number;
  timeouts: number;
  /** The offset last resent on a duplicate acknowledgement: one fast resend per stall, not per ack. */
  resentAt: number;
}

/** Resends of a silent window before the transfer is given up (the engine then asks again later). */
const MAX_TIMEOUTS = 3;

/**
 * The leader's side of snapshot transfers (Raft §7): one per follower that needs one, streamed from
 * storage in chunks with a window of unacknowledged chunks, so memory stays at a few chunks and the
 * transfer never floods the link ahead of heartbeats or other followers' appends. A transfer ends when
 * the follower reports the snapshot installed (success) or refuses it, goes silent, or this node stops
 * leading (failure); the engine then probes the follower and asks for a new transfer if needed.
 */
export class SnapshotSender {
  private readonly transfers = new Map<NodeId, Transfer>();

  constructor(private readonly host: SnapshotHost) {}

  /** Number of transfers under way. */
  get active(): number {
    return this.transfers.size;
  }

  /** The engine asked for a snapshot to go to `to`; a transfer already under way carries on. */
  start(to: NodeId): void {
    if (this.transfers.has(to)) return;
    void this.open(to).catch((error: unknown) => this.host.fail(error));
  }

  private async open(to: NodeId): Promise<void> {
    const reader = await this.host.storage.readSnapshot?.();
    if (!this.host.running() || this.transfers.has(to)) return;
    const status = this.host.engine().status();
    if (reader === undefined || status.role !== 'leader') {
      this.host.input((engine) => engine.reportSnapshot(to, false));
      return;
    }
    const source = rechunk(reader.chunks(), this.host.options.chunkBytes)[Symbol.asyncIterator]();
    const transfer: Transfer = {
      to,
      id: this.host.nextId(),
      term: status.term,
      meta: reader.meta,
      source,
      unacked: [],
      nextOffset: 0,
      acked: 0,
      sourceDone: false,
      filling: false,
      idleTicks: 0,
      timeouts: 0,
      resentAt: -1,
    };
    this.transfers.set(to, transfer);
    await this.fill(transfer);
  }

  /** Read and send chunks until the window is full or the snapshot is all sent. */
  private async fill(transfer: Transfer): Promise<void> {
    if (transfer.filling) return;
    transfer.filling = true;
    try {
      while (
        this.transfers.get(transfer.to) === transfer &&
        !transfer.sourceDone &&
        transfer.unacked.length < this.host.options.windowChunks
      ) {
        const next = await transfer.source.next();
        if (this.transfers.get(transfer.to) !== transfer || !this.stillLeading(transfer)) return;
        const chunk: Chunk = next.done
          ? { offset: transfer.nextOffset, data: new Uint8Array(0), done: true }
          : { offset: transfer.nextOffset, data: next.value, done: false };
        transfer.sourceDone = chunk.done;
        transfer.nextOffset += chunk.data.length;
        transfer.unacked.push(chunk);
        this.sendChunk(transfer, chunk);
      }
    } finally {
      transfer.filling = false;
    }
  }

  private sendChunk(transfer: Transfer, chunk: Chunk): void {
    const message: InstallSnapshot = {
      type: 'InstallSnapshot',
      from: this.host.id,
      to: transfer.to,
      term: transfer.term,
      meta: transfer.meta,
      transferId: transfer.id,
      offset: chunk.offset,
      data: chunk.data,
      done: chunk.done,
    };
    this.host.send(message);
  }

  private stillLeading(transfer: Transfer): boolean {
    const status = this.host.engine().status();
    if (status.role === 'leader' && status.term === transfer.term) return true;
    this.end(transfer, undefined);
    return false;
  }

  /** A follower answered a chunk (the engine has already checked the term). */
  onResponse(message: InstallSnapshotResponse): void {
    const transfer = this.transfers.get(message.from);
    if (transfer === undefined || transfer.id !== message.transferId) return;
    if (message.status === 'installed') {
      this.end(transfer, true);
      return;
    }
    if (message.status === 'refused') {
      this.end(transfer, false);
      return;
    }
    if (message.received > transfer.acked) {
      transfer.acked = message.received;
      while (transfer.unacked.length > 0) {
        const first = transfer.unacked[0]!;
        if (first.done || first.offset + first.data.length > transfer.acked) break;
        transfer.unacked.shift();
      }
      transfer.idleTicks = 0;
      transfer.timeouts = 0;
      void this.fill(transfer).catch((error: unknown) => this.host.fail(error));
      return;
    }
    if (message.received < transfer.acked) {
      // The follower lost what it had acknowledged (it restarted): start over.
      this.end(transfer, false);
      return;
    }
    // No progress: the follower is missing the chunk at `received` (lost or reordered). Resend it once;
    // answering every duplicate acknowledgement with a resend would feed a storm on a duplicating link.
    if (transfer.resentAt === message.received) return;
    const missing = transfer.unacked.find((chunk) => chunk.offset === message.received);
    if (missing !== undefined) {
      transfer.resentAt = message.received;
      this.sendChunk(transfer, missing);
    }
  }

  /** Once per tick: a window with no acknowledgement for an election timeout is resent, then dropped. */
  tick(electionTicks: number): void {
    for (const transfer of [...this.transfers.values()]) {
      if (!this.stillLeading(transfer)) continue;
      transfer.idleTicks++;
      if (transfer.idleTicks < electionTicks) continue;
      transfer.idleTicks = 0;
      transfer.timeouts++;
      if (transfer.timeouts > MAX_TIMEOUTS) this.end(transfer, false);
      else for (const chunk of transfer.unacked) this.sendChunk(transfer, chunk);
    }
  }

  /** Stop every transfer (the node stopped or stepped down); the engine is not told. */
  stopAll(): void {
    for (const transfer of [...this.transfers.values()]) this.end(transfer, undefined);
  }

  /** End `transfer`; `succeeded` undefined means the engine no longer cares (not leading). */
  private end(transfer: Transfer, succeeded: boolean | undefined): void {
    if (this.transfers.get(transfer.to) !== transfer) return;
    this.transfers.delete(transfer.to);
    transfer.unacked.length = 0;
    void transfer.source.return?.(undefined)?.catch(() => undefined);
    if (succeeded !== undefined) this.host.input((engine) => engine.reportSnapshot(transfer.to, succeeded));
  }
}
