import type { HardState } from '../engine/types.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter, stringSize, varintSize } from './byte-writer.js';
import { type DecodeLimits, FrameKind, openFrame, resolveDecodeLimits } from './wire-format.js';

/**
 * Encodes the hard state (Raft Figure 2: term, vote, and the commit index) as one frame.
 *
 * @throws RangeError if a number is not an integer in [0, 2^53 - 1].
 */
export function encodeHardState(hardState: HardState): Uint8Array {
  const writer = new ByteWriter(
    FrameKind.hardState,
    varintSize(hardState.term) + stringSize(hardState.vote) + varintSize(hardState.commit),
  );
  writer.varint(hardState.term);
  writer.string(hardState.vote);
  writer.varint(hardState.commit);
  return writer.finish();
}

/**
 * Decodes a frame written by {@link encodeHardState}.
 *
 * @throws DecodeError for anything but a valid hard-state frame within `limits`; never anything else.
 */
export function decodeHardState(bytes: Uint8Array, limits?: DecodeLimits): HardState {
  const resolved = resolveDecodeLimits(limits);
  const reader = new ByteReader(openFrame(bytes, FrameKind.hardState, resolved), resolved);
  const term = reader.varint();
  const vote = reader.id();
  const commit = reader.varint();
  reader.end();
  return { term, vote, commit };
}
