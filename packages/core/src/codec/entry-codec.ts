import type { Entry, EntryType } from '../engine/types.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter, bytesSize, varintSize } from './byte-writer.js';
import {
  BASE_CODEC_VERSION,
  type DecodeLimits,
  ENTRY_TYPE_TAGS,
  FRAME_HEADER_BYTES,
  FrameKind,
  openFrame,
  resolveDecodeLimits,
} from './wire-format.js';

/** Fewest bytes an entry body takes: index, term, type and an empty payload, one byte each. */
export const MIN_ENTRY_BYTES = 4;

function entryTypeTag(type: EntryType): number {
  switch (type) {
    case 'normal':
      return 0;
    case 'config':
      return 1;
    default: {
      const unknown: never = type;
      throw new RangeError(`cannot encode entry type ${String(unknown)}`);
    }
  }
}

/** Bytes of an entry body (without a frame header). */
export function entryBodySize(entry: Entry): number {
  return (
    varintSize(entry.index) +
    varintSize(entry.term) +
    varintSize(entryTypeTag(entry.type)) +
    bytesSize(entry.data)
  );
}

export function writeEntryBody(writer: ByteWriter, entry: Entry): void {
  writer.varint(entry.index);
  writer.varint(entry.term);
  writer.varint(entryTypeTag(entry.type));
  writer.bytes(entry.data);
}

export function readEntryBody(reader: ByteReader): Entry {
  const index = reader.varint();
  const term = reader.varint();
  const tag = reader.varint();
  const type = ENTRY_TYPE_TAGS[tag];
  if (type === undefined) throw reader.error(`unknown entry type tag ${tag}`);
  const data = reader.bytes();
  return { index, term, type, data };
}

/**
 * Encodes one log entry as a frame of its own (what storage packages write per entry).
 *
 * @throws RangeError if a number is not an integer in [0, 2^53 - 1].
 */
export function encodeEntry(entry: Entry): Uint8Array {
  const writer = new ByteWriter(FrameKind.entry, entryBodySize(entry));
  writeEntryBody(writer, entry);
  return writer.finish();
}

/** Bytes {@link encodeEntry} produces for `entry`, for a caller that encodes into its own buffer. */
export function encodedEntrySize(entry: Entry): number {
  return FRAME_HEADER_BYTES + entryBodySize(entry);
}

/**
 * Encodes `entry` as {@link encodeEntry} does, into `target` at `offset`, which must have
 * {@link encodedEntrySize} bytes free there; returns the view of `target` that holds the frame. For a
 * store that writes many entries at once: one buffer for the batch instead of one per entry.
 *
 * @throws RangeError if a number is not an integer in [0, 2^53 - 1], or `target` is too short.
 */
export function encodeEntryInto(entry: Entry, target: Uint8Array, offset: number): Uint8Array {
  const bodySize = entryBodySize(entry);
  const end = offset + FRAME_HEADER_BYTES + bodySize;
  if (!Number.isSafeInteger(offset) || offset < 0 || end > target.length) {
    throw new RangeError(
      `an entry frame of ${end - offset} bytes does not fit at ${offset} in ${target.length} bytes`,
    );
  }
  const writer = new ByteWriter(FrameKind.entry, bodySize, BASE_CODEC_VERSION, target.subarray(offset, end));
  writeEntryBody(writer, entry);
  return writer.finish();
}

/**
 * Decodes a frame written by {@link encodeEntry}. The returned `data` is a view into `bytes`, not a
 * copy: it changes if `bytes` is later overwritten, and it keeps `bytes` alive; `slice()` it to detach.
 *
 * @throws DecodeError for anything but a valid entry frame within `limits`; never anything else.
 */
export function decodeEntry(bytes: Uint8Array, limits?: DecodeLimits): Entry {
  const resolved = resolveDecodeLimits(limits);
  const reader = new ByteReader(openFrame(bytes, FrameKind.entry, resolved), resolved);
  const entry = readEntryBody(reader);
  reader.end();
  return entry;
}
