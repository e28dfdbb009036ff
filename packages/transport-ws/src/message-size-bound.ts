import { type Message, TRACE_CONTEXT_BYTES } from '@raft/core';

/** Most bytes a varint takes in the core codec (values up to 2^53 - 1). */
const VARINT = 8;
/** A batch frame's header (version, kind) and message count. */
export const BATCH_OVERHEAD_BYTES = 2 + VARINT;

/**
 * An upper bound on the bytes `message` takes inside a batch frame of the core codec, computed without
 * encoding it: every varint is counted at its widest and every UTF-16 unit of an id as 3 UTF-8 bytes.
 * The queue limits and the frame splitting use it, so a frame built from messages whose bounds fit in
 * `maxFrameBytes` never exceeds it.
 */
export function messageSizeBound(message: Message): number {
  // tag + two length-prefixed ids + term + at most five numeric fields and two booleans.
  let size = 1 + 2 * VARINT + 3 * (message.from.length + message.to.length) + VARINT + 5 * VARINT + 2;
  if (message.type === 'AppendEntries') {
    size += VARINT;
    for (const entry of message.entries) size += 4 * VARINT + entry.data.length;
    // Codec version 2: the trace count, then a delta and a context per traced entry.
    size += VARINT + (message.traces?.length ?? 0) * (VARINT + TRACE_CONTEXT_BYTES);
  } else if (message.type === 'Propose') {
    // Codec version 2: hasTrace and the context.
    size += VARINT + message.data.length + 1 + TRACE_CONTEXT_BYTES;
  } else if (message.type === 'InstallSnapshot') {
    // Snapshot metadata (index, term, three id lists, the members' addresses) and the chunk's
    // length-prefixed data.
    const { voters, outgoingVoters, learners, addresses } = message.meta.config;
    size += 2 * VARINT + 3 * VARINT + VARINT + 2 * VARINT + message.data.length;
    for (const id of [...voters, ...outgoingVoters, ...learners]) size += VARINT + 3 * id.length;
    for (const [id, address] of Object.entries(addresses ?? {})) {
      size += 2 * VARINT + 3 * (id.length + address.length);
    }
  }
  return size;
}
