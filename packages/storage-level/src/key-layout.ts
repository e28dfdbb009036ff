/**
 * Where everything lives in the LevelDB key space. Keys are bytes; LevelDB orders them
 * lexicographically, so every record kind gets a one-byte prefix and numbers are fixed-width
 * big-endian, which makes key order equal index order and turns "entries [from, to)" and "the chunks
 * of snapshot s" into one range scan each.
 *
 * ```
 * key                              value                                              since
 * 0x00 0x01                        format version, u32 big-endian                     v1
 * 0x01                             crc32c:u32be  hard-state frame (core codec)        v1
 * 0x02 index:u64be                 crc32c:u32be  entry frame (core codec)             v1
 * 0x03                             crc32c:u32be  snapshot record (snapshot-records)   v2
 * 0x04 snapshot-id:u64 chunk:u64   crc32c(key + data):u32be  chunk data               v2
 * 0x05                             crc32c:u32be  compaction bound (index, term)       v2
 * 0x06 - 0xff                      free
 * ```
 *
 * A snapshot's chunks are written under a fresh snapshot id; the snapshot record (0x03) names the id
 * that is current, so switching snapshots is one small put, and chunks of any other id are garbage
 * (a writer that never finished, or a superseded snapshot) that the store deletes. The cluster
 * configuration needs no record of its own: it lives in config entries in the log and in the
 * snapshot record.
 */

/**
 * Version of the on-disk layout described above; checked at open. Bump on any incompatible change.
 * Version 2 added snapshots and compaction (0x03 to 0x05); a compacted log no longer starts at index
 * 1, which version-1 code would take for a hole, so a store is stamped 2 by its first snapshot or
 * compaction write. Version 3 deletes compacted entries after the synced write of the compaction bound,
 * not in it, so entries at or below the bound may survive a crash; they are garbage that open deletes,
 * where version-2 code would report them as corruption. A store is stamped 3 by its first snapshot or
 * compaction write. Version-1 and version-2 stores are read as they are.
 */
export const FORMAT_VERSION = 3;

/** Format versions this code opens: {@link FORMAT_VERSION} and the ones it upgrades from. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2, 3];

export const FORMAT_VERSION_KEY: Uint8Array = Uint8Array.of(0x00, 0x01);
export const HARD_STATE_KEY: Uint8Array = Uint8Array.of(0x01);
const ENTRY_PREFIX = 0x02;

/** Bytes of an entry key: the prefix and a 64-bit index. */
export const ENTRY_KEY_BYTES = 9;
const TWO_TO_32 = 2 ** 32;

/** The key of the log entry at `index` (a safe integer >= 0). */
export function entryKey(index: number): Uint8Array {
  return writeEntryKey(new Uint8Array(ENTRY_KEY_BYTES), 0, index);
}

/**
 * Writes the key of the entry at `index` into `target` at `offset` and returns a view of it: a persist
 * packs all its keys and values into one buffer instead of allocating one per record.
 */
export function writeEntryKey(target: Uint8Array, offset: number, index: number): Uint8Array {
  const high = Math.floor(index / TWO_TO_32);
  const low = index % TWO_TO_32;
  target[offset] = ENTRY_PREFIX;
  target[offset + 1] = high >>> 24;
  target[offset + 2] = high >>> 16;
  target[offset + 3] = high >>> 8;
  target[offset + 4] = high;
  target[offset + 5] = low >>> 24;
  target[offset + 6] = low >>> 16;
  target[offset + 7] = low >>> 8;
  target[offset + 8] = low;
  return target.subarray(offset, offset + ENTRY_KEY_BYTES);
}

export const SNAPSHOT_RECORD_KEY: Uint8Array = Uint8Array.of(0x03);
export const COMPACTION_BOUND_KEY: Uint8Array = Uint8Array.of(0x05);
const CHUNK_PREFIX = 0x04;

/** Bytes of a snapshot chunk key: the prefix, a 64-bit snapshot id and a 64-bit chunk number. */
export const CHUNK_KEY_BYTES = 17;

/** The key of chunk `chunk` (0, 1, ...) of snapshot `snapshotId`. */
export function chunkKey(snapshotId: number, chunk: number): Uint8Array {
  const key = new Uint8Array(CHUNK_KEY_BYTES);
  key[0] = CHUNK_PREFIX;
  writeU64(key, 1, snapshotId);
  writeU64(key, 9, chunk);
  return key;
}

/** The snapshot id and chunk number a chunk key names, or undefined when `key` is not one. */
export function parseChunkKey(key: Uint8Array): { snapshotId: number; chunk: number } | undefined {
  if (key.length !== CHUNK_KEY_BYTES || key[0] !== CHUNK_PREFIX) return undefined;
  return { snapshotId: readU64(key, 1), chunk: readU64(key, 9) };
}

/** The first key of every chunk of snapshots with id >= `snapshotId`: range bounds for scans. */
export function chunkRangeStart(snapshotId: number): Uint8Array {
  return chunkKey(snapshotId, 0);
}

/** Bounds of every chunk key of every snapshot. */
export const CHUNK_KEYS_START: Uint8Array = Uint8Array.of(CHUNK_PREFIX);
export const CHUNK_KEYS_END: Uint8Array = Uint8Array.of(CHUNK_PREFIX + 1);

/** Writes `value` (a safe integer >= 0) as a u64 big-endian at `offset`. */
export function writeU64(target: Uint8Array, offset: number, value: number): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, Math.floor(value / TWO_TO_32));
  view.setUint32(offset + 4, value % TWO_TO_32);
}

/** Reads a u64 big-endian at `offset`; values above 2^53 come back unsafe (callers check). */
export function readU64(source: Uint8Array, offset: number): number {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  return view.getUint32(offset) * TWO_TO_32 + view.getUint32(offset + 4);
}

/** The smallest key with the entry prefix: the inclusive lower bound of a scan over the whole log. */
export const ENTRY_KEYS_START: Uint8Array = Uint8Array.of(ENTRY_PREFIX);

/** The key just past every entry key: the exclusive upper bound of a scan over the whole log. */
export const ENTRY_KEYS_END: Uint8Array = Uint8Array.of(ENTRY_PREFIX + 1);

/** The index an entry key names, or undefined when `key` is not an entry key. */
export function indexOfEntryKey(key: Uint8Array): number | undefined {
  if (key.length !== ENTRY_KEY_BYTES || key[0] !== ENTRY_PREFIX) return undefined;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return view.getUint32(1) * TWO_TO_32 + view.getUint32(5);
}

/** Encodes a format version as the value of {@link FORMAT_VERSION_KEY}. */
export function encodeFormatVersion(version: number): Uint8Array {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, version);
  return value;
}

/** Decodes the value of {@link FORMAT_VERSION_KEY}, or undefined when it is not 4 bytes. */
export function decodeFormatVersion(value: Uint8Array): number | undefined {
  if (value.length !== 4) return undefined;
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
}
