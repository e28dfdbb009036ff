/**
 * Where everything lives in the LevelDB key space. Keys are bytes; LevelDB orders them
 * lexicographically, so every record kind gets a one-byte prefix and indices are fixed-width
 * big-endian, which makes key order equal index order and turns "entries [from, to)" into one range
 * scan.
 *
 * ```
 * key                         value                                      since
 * 0x00 0x01                   format version, u32 big-endian             v1
 * 0x01                        crc32c:u32be  hard-state frame (core codec) v1
 * 0x02 index:u64be            crc32c:u32be  entry frame (core codec)      v1
 * 0x03                        reserved: snapshot metadata                not written yet
 * 0x04 snapshot-id chunk:u64  reserved: snapshot chunks                  not written yet
 * 0x05 ...                    reserved: log bounds after compaction      not written yet
 * 0x06 - 0xff                 free
 * ```
 *
 * Snapshots and compaction are not in the core Storage contract yet; the reserved prefixes keep their
 * records out of the entry range so adding them needs no migration of existing data. The cluster
 * configuration needs no record of its own: it lives in config entries in the log (and, once
 * snapshots exist, in the snapshot metadata).
 */

/** Version of the on-disk layout described above; checked at open. Bump on any incompatible change. */
export const FORMAT_VERSION = 1;

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
