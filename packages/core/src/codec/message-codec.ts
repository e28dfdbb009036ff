import type { SnapshotTransferStatus } from '../engine/messages.js';
import { MESSAGE_TYPES, type Message, type MessageType } from '../engine/messages.js';
import type { Entry, SnapshotMeta } from '../engine/types.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter, bytesSize, stringSize, varintSize } from './byte-writer.js';
import { configBodySize, readConfigBody, writeConfigBody } from './config-codec.js';
import { entryBodySize, MIN_ENTRY_BYTES, readEntryBody, writeEntryBody } from './entry-codec.js';
import {
  appendTracesSize,
  carriesTrace,
  frameVersion,
  proposeTraceSize,
  readAppendTraces,
  readProposeTrace,
  writeAppendTraces,
  writeProposeTrace,
} from './trace-codec.js';
import {
  BASE_CODEC_VERSION,
  CODEC_VERSION,
  type DecodeLimits,
  FrameKind,
  openFrame,
  resolveDecodeLimits,
} from './wire-format.js';

/** Fewest bytes a message body takes: tag, two empty ids and a term, one byte each. */
const MIN_MESSAGE_BYTES = 4;

/** Tag of each message type: its position in MESSAGE_TYPES, which is the wire contract. */
const TAG_OF = Object.fromEntries(MESSAGE_TYPES.map((type, tag) => [type, tag])) as Record<
  MessageType,
  number
>;

function entriesSize(entries: readonly Entry[]): number {
  let size = varintSize(entries.length);
  for (let i = 0; i < entries.length; i++) size += entryBodySize(entries[i]!);
  return size;
}

/**
 * Bytes of a message body. The fields after the envelope, per type, in wire order:
 * - AppendEntries: prevLogIndex, prevLogTerm, leaderCommit, entries (count then entry bodies)
 * - AppendEntriesResponse: success (bool), matchIndex, rejectedIndex, hintIndex, hintTerm
 * - RequestVote: preVote (bool), lastLogIndex, lastLogTerm, transfer (bool)
 * - RequestVoteResponse: preVote (bool), granted (bool)
 * - Heartbeat: commit, readSeq
 * - HeartbeatResponse: readSeq
 * - TimeoutNow: nothing
 * - ReadIndex: requestId
 * - ReadIndexResponse: requestId, index
 * - Propose: proposalId, data (bytes)
 * - ProposeResponse: proposalId, index, entryTerm
 * - InstallSnapshot: meta (index, term, config), transferId, offset, data (bytes), done (bool)
 * - InstallSnapshotResponse: transferId, snapshotIndex, received, status (one byte: 0 receiving,
 *   1 installed, 2 refused)
 * Booleans are one byte each; every other field is a varint. In a version 2 frame (`traced`),
 * AppendEntries and Propose end with their trace field (see trace-codec.ts).
 */
function messageBodySize(message: Message, traced: boolean): number {
  const envelope = 1 + stringSize(message.from) + stringSize(message.to) + varintSize(message.term);
  switch (message.type) {
    case 'AppendEntries':
      return (
        envelope +
        varintSize(message.prevLogIndex) +
        varintSize(message.prevLogTerm) +
        varintSize(message.leaderCommit) +
        entriesSize(message.entries) +
        (traced ? appendTracesSize(message) : 0)
      );
    case 'AppendEntriesResponse':
      return (
        envelope +
        1 +
        varintSize(message.matchIndex) +
        varintSize(message.rejectedIndex) +
        varintSize(message.hintIndex) +
        varintSize(message.hintTerm)
      );
    case 'RequestVote':
      return envelope + 1 + varintSize(message.lastLogIndex) + varintSize(message.lastLogTerm) + 1;
    case 'RequestVoteResponse':
      return envelope + 2;
    case 'Heartbeat':
      return envelope + varintSize(message.commit) + varintSize(message.readSeq);
    case 'HeartbeatResponse':
      return envelope + varintSize(message.readSeq);
    case 'TimeoutNow':
      return envelope;
    case 'ReadIndex':
      return envelope + varintSize(message.requestId);
    case 'ReadIndexResponse':
      return envelope + varintSize(message.requestId) + varintSize(message.index);
    case 'Propose':
      return (
        envelope +
        varintSize(message.proposalId) +
        bytesSize(message.data) +
        (traced ? proposeTraceSize(message) : 0)
      );
    case 'ProposeResponse':
      return (
        envelope + varintSize(message.proposalId) + varintSize(message.index) + varintSize(message.entryTerm)
      );
    case 'InstallSnapshot':
      return (
        envelope +
        snapshotMetaSize(message.meta) +
        varintSize(message.transferId) +
        varintSize(message.offset) +
        bytesSize(message.data) +
        1
      );
    case 'InstallSnapshotResponse':
      return (
        envelope +
        varintSize(message.transferId) +
        varintSize(message.snapshotIndex) +
        varintSize(message.received) +
        1
      );
    default: {
      const unknown: never = message;
      throw new RangeError(`cannot encode message ${String(unknown)}`);
    }
  }
}

const TRANSFER_STATUSES: readonly SnapshotTransferStatus[] = ['receiving', 'installed', 'refused'];

function snapshotMetaSize(meta: SnapshotMeta): number {
  return varintSize(meta.index) + varintSize(meta.term) + configBodySize(meta.config);
}

function writeSnapshotMeta(writer: ByteWriter, meta: SnapshotMeta): void {
  writer.varint(meta.index);
  writer.varint(meta.term);
  writeConfigBody(writer, meta.config);
}

function readSnapshotMeta(reader: ByteReader): SnapshotMeta {
  const index = reader.varint();
  const term = reader.varint();
  return { index, term, config: readConfigBody(reader) };
}

function writeMessageBody(writer: ByteWriter, message: Message, traced: boolean): void {
  // The tag is below 128 while MESSAGE_TYPES has fewer than 128 members; varint keeps room beyond.
  writer.varint(TAG_OF[message.type]);
  writer.string(message.from);
  writer.string(message.to);
  writer.varint(message.term);
  switch (message.type) {
    case 'AppendEntries': {
      writer.varint(message.prevLogIndex);
      writer.varint(message.prevLogTerm);
      writer.varint(message.leaderCommit);
      const entries = message.entries;
      writer.varint(entries.length);
      for (let i = 0; i < entries.length; i++) writeEntryBody(writer, entries[i]!);
      if (traced) writeAppendTraces(writer, message);
      return;
    }
    case 'AppendEntriesResponse':
      writer.bool(message.success);
      writer.varint(message.matchIndex);
      writer.varint(message.rejectedIndex);
      writer.varint(message.hintIndex);
      writer.varint(message.hintTerm);
      return;
    case 'RequestVote':
      writer.bool(message.preVote);
      writer.varint(message.lastLogIndex);
      writer.varint(message.lastLogTerm);
      writer.bool(message.transfer);
      return;
    case 'RequestVoteResponse':
      writer.bool(message.preVote);
      writer.bool(message.granted);
      return;
    case 'Heartbeat':
      writer.varint(message.commit);
      writer.varint(message.readSeq);
      return;
    case 'HeartbeatResponse':
      writer.varint(message.readSeq);
      return;
    case 'TimeoutNow':
      return;
    case 'ReadIndex':
      writer.varint(message.requestId);
      return;
    case 'ReadIndexResponse':
      writer.varint(message.requestId);
      writer.varint(message.index);
      return;
    case 'Propose':
      writer.varint(message.proposalId);
      writer.bytes(message.data);
      if (traced) writeProposeTrace(writer, message);
      return;
    case 'ProposeResponse':
      writer.varint(message.proposalId);
      writer.varint(message.index);
      writer.varint(message.entryTerm);
      return;
    case 'InstallSnapshot':
      writeSnapshotMeta(writer, message.meta);
      writer.varint(message.transferId);
      writer.varint(message.offset);
      writer.bytes(message.data);
      writer.bool(message.done);
      return;
    case 'InstallSnapshotResponse': {
      writer.varint(message.transferId);
      writer.varint(message.snapshotIndex);
      writer.varint(message.received);
      const status = TRANSFER_STATUSES.indexOf(message.status);
      if (status < 0) throw new RangeError(`unknown snapshot transfer status ${String(message.status)}`);
      writer.varint(status);
      return;
    }
    default: {
      const unknown: never = message;
      throw new RangeError(`cannot encode message ${String(unknown)}`);
    }
  }
}

function readMessageBody(reader: ByteReader, traced: boolean): Message {
  const tag = reader.varint();
  const type = MESSAGE_TYPES[tag];
  if (type === undefined) throw reader.error(`unknown message type tag ${tag}`);
  const from = reader.id();
  const to = reader.id();
  const term = reader.varint();
  switch (type) {
    case 'AppendEntries': {
      const prevLogIndex = reader.varint();
      const prevLogTerm = reader.varint();
      const leaderCommit = reader.varint();
      const count = reader.count(MIN_ENTRY_BYTES, reader.limits.maxEntriesPerMessage, 'entries');
      const entries: Entry[] = [];
      for (let i = 0; i < count; i++) entries.push(readEntryBody(reader));
      const traces = traced ? readAppendTraces(reader, prevLogIndex, count) : undefined;
      return traces === undefined
        ? { type, from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit }
        : { type, from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, traces };
    }
    case 'AppendEntriesResponse': {
      const success = reader.bool();
      const matchIndex = reader.varint();
      const rejectedIndex = reader.varint();
      const hintIndex = reader.varint();
      const hintTerm = reader.varint();
      return { type, from, to, term, success, matchIndex, rejectedIndex, hintIndex, hintTerm };
    }
    case 'RequestVote': {
      const preVote = reader.bool();
      const lastLogIndex = reader.varint();
      const lastLogTerm = reader.varint();
      const transfer = reader.bool();
      return { type, from, to, term, preVote, lastLogIndex, lastLogTerm, transfer };
    }
    case 'RequestVoteResponse': {
      const preVote = reader.bool();
      const granted = reader.bool();
      return { type, from, to, term, preVote, granted };
    }
    case 'Heartbeat': {
      const commit = reader.varint();
      const readSeq = reader.varint();
      return { type, from, to, term, commit, readSeq };
    }
    case 'HeartbeatResponse':
      return { type, from, to, term, readSeq: reader.varint() };
    case 'TimeoutNow':
      return { type, from, to, term };
    case 'ReadIndex':
      return { type, from, to, term, requestId: reader.varint() };
    case 'ReadIndexResponse': {
      const requestId = reader.varint();
      const index = reader.varint();
      return { type, from, to, term, requestId, index };
    }
    case 'Propose': {
      const proposalId = reader.varint();
      const data = reader.bytes();
      const trace = traced ? readProposeTrace(reader) : undefined;
      return trace === undefined
        ? { type, from, to, term, proposalId, data }
        : { type, from, to, term, proposalId, data, trace };
    }
    case 'ProposeResponse': {
      const proposalId = reader.varint();
      const index = reader.varint();
      const entryTerm = reader.varint();
      return { type, from, to, term, proposalId, index, entryTerm };
    }
    case 'InstallSnapshot': {
      const meta = readSnapshotMeta(reader);
      const transferId = reader.varint();
      const offset = reader.varint();
      const data = reader.bytes();
      const done = reader.bool();
      return { type, from, to, term, meta, transferId, offset, data, done };
    }
    case 'InstallSnapshotResponse': {
      const transferId = reader.varint();
      const snapshotIndex = reader.varint();
      const received = reader.varint();
      const code = reader.varint();
      const status = TRANSFER_STATUSES[code];
      if (status === undefined) throw reader.error(`unknown snapshot transfer status ${code}`);
      return { type, from, to, term, transferId, snapshotIndex, received, status };
    }
    default: {
      const unknown: never = type;
      throw reader.error(`unhandled message type ${String(unknown)}`);
    }
  }
}

/**
 * Encodes one message as a frame. The frame is sized first and allocated once. The frame is version 1
 * unless the message carries trace context (`AppendEntries.traces`, `Propose.trace`): then version 2,
 * which only peers of this release or later decode.
 *
 * @throws RangeError if the message is malformed (a number not an integer in [0, 2^53 - 1], an unknown
 * type): a bug in the sender, never a condition of the network.
 */
export function encodeMessage(message: Message): Uint8Array {
  const traced = carriesTrace(message);
  const writer = new ByteWriter(
    FrameKind.message,
    messageBodySize(message, traced),
    traced ? CODEC_VERSION : BASE_CODEC_VERSION,
  );
  writeMessageBody(writer, message, traced);
  return writer.finish();
}

/** A version 2 frame must carry trace context: otherwise version 1 is its only canonical form. */
function noTraceError(reader: ByteReader): Error {
  return reader.error('a version 2 frame without trace context');
}

/**
 * Decodes a frame written by {@link encodeMessage}. Byte payloads (`Propose.data`, each entry's `data`)
 * are views into `bytes`, not copies: they change if `bytes` is later overwritten and keep it alive;
 * `slice()` them to detach.
 *
 * @throws DecodeError for anything but a valid message frame within `limits`; never anything else.
 */
export function decodeMessage(bytes: Uint8Array, limits?: DecodeLimits): Message {
  const resolved = resolveDecodeLimits(limits);
  const reader = new ByteReader(openFrame(bytes, FrameKind.message, resolved, CODEC_VERSION), resolved);
  const traced = reader.version === CODEC_VERSION;
  const message = readMessageBody(reader, traced);
  reader.end();
  if (traced && !carriesTrace(message)) throw noTraceError(reader);
  return message;
}

/**
 * Encodes a batch of messages (for example, everything a transport sends a peer in one event-loop
 * turn) as a single frame, in order: version 2 when any message carries trace context, else 1.
 *
 * @throws RangeError as {@link encodeMessage}.
 */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const version = frameVersion(messages);
  const traced = version === CODEC_VERSION;
  let size = varintSize(messages.length);
  for (let i = 0; i < messages.length; i++) size += messageBodySize(messages[i]!, traced);
  const writer = new ByteWriter(FrameKind.batch, size, version);
  writer.varint(messages.length);
  for (let i = 0; i < messages.length; i++) writeMessageBody(writer, messages[i]!, traced);
  return writer.finish();
}

/**
 * Decodes a frame written by {@link encodeMessages}, in order. Byte payloads are views into `bytes`, as
 * with {@link decodeMessage}. A frame from {@link encodeMessage} is not a batch and is rejected.
 *
 * @throws DecodeError for anything but a valid batch frame within `limits`; never anything else.
 */
export function decodeMessages(bytes: Uint8Array, limits?: DecodeLimits): Message[] {
  const resolved = resolveDecodeLimits(limits);
  const reader = new ByteReader(openFrame(bytes, FrameKind.batch, resolved, CODEC_VERSION), resolved);
  const traced = reader.version === CODEC_VERSION;
  const count = reader.count(MIN_MESSAGE_BYTES, resolved.maxMessagesPerBatch, 'messages');
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(readMessageBody(reader, traced));
  reader.end();
  if (traced && frameVersion(messages) !== CODEC_VERSION) throw noTraceError(reader);
  return messages;
}
