import type { SnapshotReader } from '@raft/core';
import { DamagedValueError } from './checked-value.js';
import { chunkKey, parseChunkKey } from './key-layout.js';
import { openChunk, type SnapshotRecord } from './snapshot-records.js';
import { StorageCorruptionError } from './storage-errors.js';
import type { BinaryIterator } from './stored-records.js';

/** What a reader needs from its store. */
export interface SnapshotReaderHost {
  readonly directory: string;
  /**
   * Opens an iterator over the chunks of `record`, synchronously: classic-level iterators read from a
   * LevelDB snapshot taken when they are created, so a pass that started keeps its chunks even if a
   * newer snapshot's save deletes them meanwhile. Throws when the chunks were already released or the
   * store is closed.
   */
  openChunks(record: SnapshotRecord): BinaryIterator;
  /** Maps an error of a read that failed because the store closed meanwhile to StorageClosedError. */
  readFailure(error: unknown): unknown;
}

/**
 * A reader over one stored snapshot. Each pass of `chunks()` reads the chunks in order through one
 * LevelDB iterator, one chunk in memory at a time, and verifies each chunk's checksum, their numbering
 * and the total size against the snapshot record.
 */
export function levelSnapshotReader(record: SnapshotRecord, host: SnapshotReaderHost): SnapshotReader {
  return {
    meta: record.meta,
    bytes: record.bytes,
    chunks: () => readChunks(record, host),
  };
}

async function* readChunks(record: SnapshotRecord, host: SnapshotReaderHost): AsyncGenerator<Uint8Array> {
  const iterator = host.openChunks(record);
  let chunk = 0;
  let bytes = 0;
  try {
    for (;;) {
      let next: [Uint8Array, Uint8Array] | undefined;
      try {
        next = await iterator.next();
      } catch (error) {
        throw host.readFailure(error);
      }
      if (next === undefined) break;
      const [key, value] = next;
      const parsed = parseChunkKey(key);
      if (parsed?.chunk !== chunk) {
        throw damaged(host, chunk, `missing (next is ${parsed?.chunk ?? 'a malformed key'})`);
      }
      let data: Uint8Array;
      try {
        data = openChunk(key, value);
      } catch (error) {
        if (error instanceof DamagedValueError) throw damaged(host, chunk, error.message);
        throw error;
      }
      chunk++;
      bytes += data.length;
      yield data;
    }
  } finally {
    await iterator.close().catch(() => {});
  }
  if (chunk !== record.chunks || bytes !== record.bytes) {
    const reason = `${chunk} chunks of ${bytes} bytes, the record says ${record.chunks} of ${record.bytes}`;
    throw damaged(host, Math.min(chunk, record.chunks), reason);
  }
}

function damaged(host: SnapshotReaderHost, chunk: number, reason: string): StorageCorruptionError {
  return new StorageCorruptionError(host.directory, 'snapshot-chunk', chunk, reason);
}

/** Iterator bounds of every chunk of `record`. */
export function chunkRange(record: SnapshotRecord): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: chunkKey(record.snapshotId, 0), lt: chunkKey(record.snapshotId + 1, 0) };
}
