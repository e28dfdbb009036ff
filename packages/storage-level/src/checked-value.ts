import { decodeEntry, decodeHardState, type Entry, type HardState } from '@raft/core';
import { crc32c } from './crc32c.js';

/**
 * Stored values are `crc32c:u32be` followed by a core codec frame. The checksum covers the frame; the
 * frame carries its own index, so an entry found under another index's key is caught as well.
 */
export const CHECKSUM_BYTES = 4;

/** Prefixes `frame` with its CRC-32C: the value to store. */
export function sealValue(frame: Uint8Array): Uint8Array {
  return writeSealedValue(new Uint8Array(CHECKSUM_BYTES + frame.length), 0, frame);
}

/**
 * Writes the sealed value of `frame` into `target` at `offset` (it needs `CHECKSUM_BYTES +
 * frame.length` bytes) and returns a view of it.
 */
export function writeSealedValue(target: Uint8Array, offset: number, frame: Uint8Array): Uint8Array {
  target.set(frame, offset + CHECKSUM_BYTES);
  return sealInPlace(target, offset, frame.length);
}

/**
 * Seals the frame of `frameLength` bytes already written at `offset + CHECKSUM_BYTES` in `target`
 * (its checksum goes in front of it) and returns a view of the sealed value.
 */
export function sealInPlace(target: Uint8Array, offset: number, frameLength: number): Uint8Array {
  const frameStart = offset + CHECKSUM_BYTES;
  const checksum = crc32c(target.subarray(frameStart, frameStart + frameLength));
  target[offset] = checksum >>> 24;
  target[offset + 1] = checksum >>> 16;
  target[offset + 2] = checksum >>> 8;
  target[offset + 3] = checksum;
  return target.subarray(offset, frameStart + frameLength);
}

/** Why a stored value was refused; the caller turns it into a StorageCorruptionError. */
export class DamagedValueError extends Error {}

/** The frame inside a sealed value; throws {@link DamagedValueError} when the checksum disagrees. */
export function openValue(value: Uint8Array): Uint8Array {
  if (value.length < CHECKSUM_BYTES) throw new DamagedValueError(`value of ${value.length} bytes`);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
  const frame = value.subarray(CHECKSUM_BYTES);
  const actual = crc32c(frame);
  if (stored !== actual) {
    throw new DamagedValueError(`checksum mismatch: stored ${hex(stored)}, computed ${hex(actual)}`);
  }
  return frame;
}

/**
 * Verifies and decodes a stored entry that must be the entry at `expectedIndex`. The returned `data`
 * is a copy, so nothing handed out keeps LevelDB's buffer alive or aliases it.
 *
 * @throws DamagedValueError when the checksum, the frame or the index is wrong.
 */
export function openEntry(value: Uint8Array, expectedIndex: number): Entry {
  const entry = verifyEntry(value, expectedIndex);
  return { index: entry.index, term: entry.term, type: entry.type, data: entry.data.slice() };
}

/**
 * Like {@link openEntry} but without copying: the entry's `data` is a view into `value`. For checks
 * that keep only the index and term.
 *
 * @throws DamagedValueError when the checksum, the frame or the index is wrong.
 */
export function verifyEntry(value: Uint8Array, expectedIndex: number): Entry {
  const entry = decodeOrExplain(() => decodeEntry(openValue(value), UNBOUNDED));
  if (entry.index !== expectedIndex) {
    throw new DamagedValueError(`holds the entry of index ${entry.index}`);
  }
  return entry;
}

/** Verifies and decodes the stored hard state. @throws DamagedValueError */
export function openHardState(value: Uint8Array): HardState {
  return decodeOrExplain(() => decodeHardState(openValue(value), UNBOUNDED));
}

/**
 * What was written passed the encoder, so the decoder's size guards (meant for untrusted network
 * input) must not refuse it: a 100 MiB entry persisted must be readable.
 */
const UNBOUNDED = { maxFrameBytes: Number.POSITIVE_INFINITY, maxIdBytes: Number.POSITIVE_INFINITY };

function decodeOrExplain<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DamagedValueError) throw error;
    // A frame whose checksum matches but that the codec refuses: written by a bug or another format.
    throw new DamagedValueError(`undecodable frame: ${(error as Error).message}`);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
