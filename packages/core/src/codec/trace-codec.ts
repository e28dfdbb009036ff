// The trace-context fields of codec version 2 (see wire-format.ts): a trailing list of entry traces on
// AppendEntries, a trailing optional context on Propose. Kept apart from message-codec.ts so the
// version 1 paths there read as before; every function here is called only for a version 2 frame.
import {
  type AppendEntries,
  type EntryTrace,
  type Message,
  type Propose,
  TRACE_CONTEXT_BYTES,
} from '../engine/messages.js';
import type { ByteReader } from './byte-reader.js';
import { type ByteWriter, varintSize } from './byte-writer.js';
import { BASE_CODEC_VERSION, CODEC_VERSION } from './wire-format.js';

/** Fewest bytes one trace takes in an AppendEntries: a one-byte delta and the context. */
const MIN_TRACE_BYTES = 1 + TRACE_CONTEXT_BYTES;

/** Whether `message` carries trace context, which makes the frame holding it version 2. */
export function carriesTrace(message: Message): boolean {
  if (message.type === 'AppendEntries') return message.traces !== undefined && message.traces.length > 0;
  return message.type === 'Propose' && message.trace !== undefined;
}

/** The version of a frame holding `messages`: 2 when any carries trace context, else 1. */
export function frameVersion(messages: readonly Message[]): number {
  for (let i = 0; i < messages.length; i++) if (carriesTrace(messages[i]!)) return CODEC_VERSION;
  return BASE_CODEC_VERSION;
}

function checkContext(context: Uint8Array): void {
  if (!(context instanceof Uint8Array) || context.length !== TRACE_CONTEXT_BYTES) {
    throw new RangeError(`a trace context must be ${TRACE_CONTEXT_BYTES} bytes`);
  }
}

/**
 * Bytes of an AppendEntries' trace list in a version 2 body; validates it on the way (the encoder
 * sizes before it writes, so a bad list throws before anything is written).
 *
 * @throws RangeError for a context that is not 26 bytes or indices that do not strictly ascend within
 * the entries carried (a bug in the sender).
 */
export function appendTracesSize(message: AppendEntries): number {
  const traces = message.traces ?? [];
  let size = varintSize(traces.length);
  const lastCarried = message.prevLogIndex + message.entries.length;
  let previous = message.prevLogIndex;
  for (let i = 0; i < traces.length; i++) {
    const { index, context } = traces[i]!;
    if (!(Number.isSafeInteger(index) && index > previous && index <= lastCarried)) {
      throw new RangeError(`trace index ${index} is not ascending within the entries carried`);
    }
    checkContext(context);
    size += varintSize(index - previous) + TRACE_CONTEXT_BYTES;
    previous = index;
  }
  return size;
}

export function writeAppendTraces(writer: ByteWriter, message: AppendEntries): void {
  const traces = message.traces ?? [];
  writer.varint(traces.length);
  let previous = message.prevLogIndex;
  for (let i = 0; i < traces.length; i++) {
    const { index, context } = traces[i]!;
    writer.varint(index - previous);
    writer.fixed(context);
    previous = index;
  }
}

/** Reads the trace list; `undefined` for an empty one, so a decoded message never has `traces: []`. */
export function readAppendTraces(
  reader: ByteReader,
  prevLogIndex: number,
  entryCount: number,
): EntryTrace[] | undefined {
  const count = reader.count(MIN_TRACE_BYTES, entryCount, 'traces');
  if (count === 0) return undefined;
  const lastCarried = prevLogIndex + entryCount;
  const traces: EntryTrace[] = [];
  let previous = prevLogIndex;
  for (let i = 0; i < count; i++) {
    const delta = reader.varint();
    const index = previous + delta;
    if (delta === 0 || index > lastCarried || !Number.isSafeInteger(index)) {
      throw reader.error(`trace index delta ${delta} is not within the entries carried`);
    }
    traces.push({ index, context: reader.fixed(TRACE_CONTEXT_BYTES) });
    previous = index;
  }
  return traces;
}

/** Bytes of a Propose's trace field in a version 2 body. @throws RangeError for a bad context. */
export function proposeTraceSize(message: Propose): number {
  if (message.trace === undefined) return 1;
  checkContext(message.trace);
  return 1 + TRACE_CONTEXT_BYTES;
}

export function writeProposeTrace(writer: ByteWriter, message: Propose): void {
  writer.bool(message.trace !== undefined);
  if (message.trace !== undefined) writer.fixed(message.trace);
}

export function readProposeTrace(reader: ByteReader): Uint8Array | undefined {
  return reader.bool() ? reader.fixed(TRACE_CONTEXT_BYTES) : undefined;
}
