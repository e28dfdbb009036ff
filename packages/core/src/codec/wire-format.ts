/**
 * The wire and disk format of @raft/core, versions 1 and 2.
 *
 * Every frame is
 *
 * ```
 * frame   = version:u8  kind:u8  body
 * version = 1, or 2 for a message or batch frame carrying trace context (see below)
 * kind    = 0 message | 1 batch of messages | 2 entry | 3 hard state | 4 cluster config
 * ```
 *
 * and nothing may follow the body (trailing bytes are a DecodeError). Field encodings:
 *
 * - `varint`: unsigned LEB128, canonical (no trailing 0x00 continuation group), at most 2^53 - 1, so at
 *   most 8 bytes. Every index, term, count, id number and length is a varint.
 * - `bool`: one byte, 0 or 1; any other value is rejected.
 * - `string`: varint byte length, then that many bytes of UTF-8 (decoded with `fatal: true`, so invalid
 *   UTF-8 is rejected). Only node ids are strings; they are bounded by `maxIdBytes`.
 * - `bytes`: varint length, then the bytes.
 *
 * Bodies:
 *
 * ```
 * message  = tag:varint from:string to:string term:varint fields-of-the-type
 * batch    = count:varint message*count          (each `message` without a frame header)
 * entry    = index:varint term:varint type:varint data:bytes     (type: 0 normal, 1 config)
 * hard     = term:varint vote:string commit:varint
 * config   = ids(voters) ids(outgoingVoters) ids(learners);  ids = count:varint string*count
 * ```
 *
 * The message tag is the position of the message's `type` in `MESSAGE_TYPES`. The fields of each type
 * follow in the order listed in `message-codec.ts` (AppendEntries carries `count:varint entry*count`
 * with each entry as in the entry body above).
 *
 * Version 2 differs only in two message bodies, which gain a trailing field:
 *
 * ```
 * AppendEntries v2 = (v1 fields)  count:varint (indexDelta:varint context:26 bytes)*count
 * Propose v2       = (v1 fields)  hasTrace:bool [context:26 bytes]
 * ```
 *
 * Each traced index is `indexDelta` past the previous one (the first past `prevLogIndex`), so deltas
 * are at least 1, indices strictly ascend, and every one names an entry the message carries (at most
 * `prevLogIndex + count of entries`); `count` is at most the number of entries. A frame is written as
 * version 2 exactly when one of its messages carries a trace context (an AppendEntries with `traces`,
 * a Propose with `trace`), so untraced traffic stays byte-identical to version 1, and a version 2
 * frame without any trace context is not canonical and rejected. In a version 2 batch every
 * AppendEntries and Propose has the field (`count` 0, `hasTrace` 0 when untraced). Entry, hard-state
 * and config frames exist only in version 1. A version-1-only decoder rejects version 2 frames, so
 * nodes send trace context only when told every peer decodes it (`RaftNodeOptions.traceContext`).
 *
 * How the format evolves:
 * - A new message type is appended to `MESSAGE_TYPES` (never inserted or reordered), so it gets the
 *   next tag. An older decoder rejects the unknown tag with a DecodeError; Raft tolerates a lost
 *   message, but a sender should only use a new type once every peer understands it. Likewise a new
 *   entry type or frame kind takes the next free number.
 * - A new field in an existing message, entry or frame cannot be skipped by an older decoder (bodies
 *   carry no per-message length and trailing bytes are rejected). Either carry it in a new message
 *   type, or bump {@link CODEC_VERSION}: the decoder then dispatches on the version byte and keeps
 *   reading the previous version for at least one release, so a rolling upgrade can mix both.
 * - Any change to the bytes of an existing version is a bug: the golden-bytes test pins them.
 */

import { DecodeError } from '../errors.js';

/**
 * The newest codec version: decoders read versions 1 and {@link CODEC_VERSION}; encoders write version
 * 1 unless a message carries trace context (then 2). Bumped only for incompatible format changes.
 */
export const CODEC_VERSION = 2;

/** The version of every frame without trace context (and of all entry, hard-state and config frames). */
export const BASE_CODEC_VERSION = 1;

/** The second byte of a frame: what the body holds. Numbers are on the wire; only append. */
export const FrameKind = {
  message: 0,
  batch: 1,
  entry: 2,
  hardState: 3,
  config: 4,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Bytes of the frame header (version and kind). */
export const FRAME_HEADER_BYTES = 2;

/**
 * Bounds a decoder enforces before it allocates anything for a declared length or count. Every field
 * is optional; a missing, negative or non-numeric value means the default. `Infinity` lifts a bound
 * (the frame's own length still bounds every allocation).
 */
export interface DecodeLimits {
  /** Largest frame accepted, in bytes. Default 64 MiB. */
  maxFrameBytes?: number;
  /** Most entries in one AppendEntries. Default 100,000. */
  maxEntriesPerMessage?: number;
  /** Most messages in one batch frame. Default 100,000. */
  maxMessagesPerBatch?: number;
  /** Longest node id, in UTF-8 bytes. Default 1024. */
  maxIdBytes?: number;
}

/** {@link DecodeLimits} with every default filled in. */
export interface ResolvedDecodeLimits {
  readonly maxFrameBytes: number;
  readonly maxEntriesPerMessage: number;
  readonly maxMessagesPerBatch: number;
  readonly maxIdBytes: number;
}

/** The defaults, shared so that a decode without limits allocates no limits object. */
export const DEFAULT_DECODE_LIMITS: ResolvedDecodeLimits = Object.freeze({
  maxFrameBytes: 64 * 1024 * 1024,
  maxEntriesPerMessage: 100_000,
  maxMessagesPerBatch: 100_000,
  maxIdBytes: 1024,
});

function limitOr(value: number | undefined, fallback: number): number {
  // `>= 0` is false for NaN and non-numbers, so a bad value falls back instead of disabling the bound.
  return typeof value === 'number' && value >= 0 ? value : fallback;
}

export function resolveDecodeLimits(limits: DecodeLimits | undefined): ResolvedDecodeLimits {
  if (limits === undefined) return DEFAULT_DECODE_LIMITS;
  return {
    maxFrameBytes: limitOr(limits.maxFrameBytes, DEFAULT_DECODE_LIMITS.maxFrameBytes),
    maxEntriesPerMessage: limitOr(limits.maxEntriesPerMessage, DEFAULT_DECODE_LIMITS.maxEntriesPerMessage),
    maxMessagesPerBatch: limitOr(limits.maxMessagesPerBatch, DEFAULT_DECODE_LIMITS.maxMessagesPerBatch),
    maxIdBytes: limitOr(limits.maxIdBytes, DEFAULT_DECODE_LIMITS.maxIdBytes),
  };
}

/** Entry types in tag order. Never reorder: the position is on the wire. */
export const ENTRY_TYPE_TAGS = ['normal', 'config'] as const;

/**
 * Checks the frame header and size; versions above `maxVersion` (default 1) are rejected. Returns the frame as a plain Uint8Array (a view, not a copy) so
 * that payload views cut from it are plain Uint8Arrays even when the caller passed a Node Buffer.
 */
export function openFrame(
  bytes: Uint8Array,
  kind: FrameKind,
  limits: ResolvedDecodeLimits,
  maxVersion: number = BASE_CODEC_VERSION,
): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('frame is not a Uint8Array');
  if (bytes.length > limits.maxFrameBytes) {
    throw new DecodeError(`frame of ${bytes.length} bytes exceeds maxFrameBytes ${limits.maxFrameBytes}`);
  }
  if (bytes.length < FRAME_HEADER_BYTES) throw new DecodeError('frame truncated in its header');
  const version = bytes[0];
  if (version === undefined || version < BASE_CODEC_VERSION || version > maxVersion) {
    throw new DecodeError(`unsupported codec version ${version}`);
  }
  const actualKind = bytes[1];
  if (actualKind !== kind) throw new DecodeError(`expected frame kind ${kind}, got ${actualKind}`);
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
