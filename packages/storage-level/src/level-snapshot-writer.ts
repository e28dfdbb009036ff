import { type SnapshotMeta, type SnapshotWriter, StorageClosedError } from '@raft/core';
import type { SnapshotRecord } from './snapshot-records.js';

/** What a writer needs from its store; every call runs in the store's operation queue. */
export interface SnapshotWriterHost {
  /** Store chunk `chunk` of snapshot `snapshotId`, durably. */
  writeChunk(snapshotId: number, chunk: number, data: Uint8Array): Promise<void>;
  /** Make `record` current, leaving the log as it is; see {@link SnapshotWriter.save}. */
  saveSnapshot(record: SnapshotRecord): Promise<void>;
  /** Make `record` current and rebase the log on it; see {@link SnapshotWriter.install}. */
  installSnapshot(record: SnapshotRecord): Promise<void>;
  /** Delete what was written under `snapshotId`. Resolves (doing nothing) once the store is closed. */
  discardChunks(snapshotId: number): Promise<void>;
}

/**
 * A snapshot being written to LevelDB: each chunk is stored under this writer's fresh snapshot id as it
 * arrives (never buffered: a 100 MB snapshot costs one chunk of memory), and nothing refers to that id
 * until `save` or `install` puts the snapshot record naming it, in one synced batch. Until then the
 * chunks are invisible garbage that `abort`, or the next open, deletes.
 */
export class LevelSnapshotWriter implements SnapshotWriter {
  private chunks = 0;
  private bytes = 0;
  /** Set once saved, installed or aborted: the writer takes no further chunks. */
  private finished = false;

  constructor(
    readonly meta: SnapshotMeta,
    private readonly snapshotId: number,
    private readonly host: SnapshotWriterHost,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    // An empty chunk adds nothing to the data; storing it would only cost a synced write.
    if (chunk.length === 0) return;
    const number = this.chunks++;
    this.bytes += chunk.length;
    await this.host.writeChunk(this.snapshotId, number, chunk);
  }

  async save(): Promise<void> {
    this.assertOpen();
    await this.host.saveSnapshot(this.record());
    this.finished = true;
  }

  async install(): Promise<void> {
    this.assertOpen();
    await this.host.installSnapshot(this.record());
    this.finished = true;
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.host.discardChunks(this.snapshotId);
  }

  private record(): SnapshotRecord {
    return { snapshotId: this.snapshotId, meta: this.meta, bytes: this.bytes, chunks: this.chunks };
  }

  /** Use after save, install or abort is a caller bug; core's memory writer refuses it the same way. */
  private assertOpen(): void {
    if (this.finished) throw new StorageClosedError();
  }
}
