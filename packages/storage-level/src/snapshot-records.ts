import { decodeConfig, encodeConfig, type LogPosition, type SnapshotMeta } from '@raft/core';
import { CHECKSUM_BYTES, DamagedValueError, openValue, sealValue } from './checked-value.js';
import { crc32c } from './crc32c.js';
import { readU64, writeU64 } from './key-layout.js';

/**
 * The records of snapshots and compaction (format version 2). Each is sealed like every other record:
 * `crc32c:u32be` and a frame. Chunk values are sealed with a checksum over their key and data, so a
 * chunk found under another snapshot's or position's key fails its check like a flipped bit does.
 */

/** What the snapshot record (key 0x03) holds: which stored snapshot is current, and its shape. */
export interface SnapshotRecord {
  /** The id its chunks are stored under. */
  readonly snapshotId: number;
  readonly meta: SnapshotMeta;
  /** Total bytes of data. */
  readonly bytes: number;
  /** Number of chunks, numbered 0 to chunks - 1. */
  readonly chunks: number;
}

/** Frame layout version of the snapshot record, so its fields can grow. */
const SNAPSHOT_RECORD_LAYOUT = 1;
/** layout:u8, snapshotId, index, term, bytes, chunks (u64 each), then the core config frame. */
const SNAPSHOT_RECORD_HEADER = 1 + 5 * 8;

export function encodeSnapshotRecord(record: SnapshotRecord): Uint8Array {
  const config = encodeConfig(record.meta.config);
  const frame = new Uint8Array(SNAPSHOT_RECORD_HEADER + config.length);
  frame[0] = SNAPSHOT_RECORD_LAYOUT;
  writeU64(frame, 1, record.snapshotId);
  writeU64(frame, 9, record.meta.index);
  writeU64(frame, 17, record.meta.term);
  writeU64(frame, 25, record.bytes);
  writeU64(frame, 33, record.chunks);
  frame.set(config, SNAPSHOT_RECORD_HEADER);
  return sealValue(frame);
}

/** Verifies and decodes a stored snapshot record. @throws DamagedValueError */
export function openSnapshotRecord(value: Uint8Array): SnapshotRecord {
  const frame = openValue(value);
  if (frame.length < SNAPSHOT_RECORD_HEADER || frame[0] !== SNAPSHOT_RECORD_LAYOUT) {
    throw new DamagedValueError(`snapshot record of ${frame.length} bytes, layout ${frame[0]}`);
  }
  const numbers = [1, 9, 17, 25, 33].map((offset) => readU64(frame, offset));
  if (!numbers.every(Number.isSafeInteger))
    throw new DamagedValueError('snapshot record number out of range');
  const [snapshotId, index, term, bytes, chunks] = numbers as [number, number, number, number, number];
  let config: SnapshotMeta['config'];
  try {
    config = decodeConfig(frame.subarray(SNAPSHOT_RECORD_HEADER), UNBOUNDED);
  } catch (error) {
    throw new DamagedValueError(`undecodable snapshot configuration: ${(error as Error).message}`);
  }
  return { snapshotId, meta: { index, term, config }, bytes, chunks };
}

/** Encodes the compaction bound (key 0x05): the last discarded entry's index and term. */
export function encodeCompactionBound(bound: LogPosition): Uint8Array {
  const frame = new Uint8Array(16);
  writeU64(frame, 0, bound.index);
  writeU64(frame, 8, bound.term);
  return sealValue(frame);
}

/** Verifies and decodes the stored compaction bound. @throws DamagedValueError */
export function openCompactionBound(value: Uint8Array): LogPosition {
  const frame = openValue(value);
  if (frame.length !== 16) throw new DamagedValueError(`compaction bound of ${frame.length} bytes, not 16`);
  const index = readU64(frame, 0);
  const term = readU64(frame, 8);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(term)) {
    throw new DamagedValueError('compaction bound out of range');
  }
  return { index, term };
}

/** The value stored for a chunk under `key`: its checksum (over key and data), then the data. */
export function sealChunk(key: Uint8Array, data: Uint8Array): Uint8Array {
  const value = new Uint8Array(CHECKSUM_BYTES + data.length);
  const checksum = crc32c(data, crc32c(key));
  new DataView(value.buffer).setUint32(0, checksum);
  value.set(data, CHECKSUM_BYTES);
  return value;
}

/** The data of a chunk stored under `key`, a view into `value`. @throws DamagedValueError */
export function openChunk(key: Uint8Array, value: Uint8Array): Uint8Array {
  if (value.length < CHECKSUM_BYTES) throw new DamagedValueError(`chunk value of ${value.length} bytes`);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
  const data = value.subarray(CHECKSUM_BYTES);
  if (crc32c(data, crc32c(key)) !== stored) {
    throw new DamagedValueError('chunk checksum mismatch (damaged, or stored under another key)');
  }
  return data;
}

/** What was written passed the encoder, so the network decoder's size guards do not apply. */
const UNBOUNDED = { maxFrameBytes: Number.POSITIVE_INFINITY, maxIdBytes: Number.POSITIVE_INFINITY };
