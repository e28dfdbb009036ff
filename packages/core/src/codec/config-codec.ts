import type { ClusterConfig, NodeId } from '../engine/types.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter, stringSize, varintSize } from './byte-writer.js';
import { type DecodeLimits, FrameKind, openFrame, resolveDecodeLimits } from './wire-format.js';

/** Fewest bytes an id takes on the wire: the length byte of an empty string. */
const MIN_ID_BYTES = 1;

function idListSize(ids: readonly NodeId[]): number {
  let size = varintSize(ids.length);
  for (let i = 0; i < ids.length; i++) size += stringSize(ids[i]!);
  return size;
}

function writeIdList(writer: ByteWriter, ids: readonly NodeId[]): void {
  writer.varint(ids.length);
  for (let i = 0; i < ids.length; i++) writer.string(ids[i]!);
}

function readIdList(reader: ByteReader): NodeId[] {
  // The frame length bounds the count (every id takes a byte), and maxFrameBytes bounds the frame.
  const count = reader.count(MIN_ID_BYTES, Number.POSITIVE_INFINITY, 'ids');
  // push, not new Array(count): arrays grow only with ids actually read.
  const ids: NodeId[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.id());
  return ids;
}

/** Bytes of a configuration's body (inside a config frame or a message). */
export function configBodySize(config: ClusterConfig): number {
  return idListSize(config.voters) + idListSize(config.outgoingVoters) + idListSize(config.learners);
}

/** Writes a configuration's body: voters, outgoing voters, learners (each a count then ids). */
export function writeConfigBody(writer: ByteWriter, config: ClusterConfig): void {
  writeIdList(writer, config.voters);
  writeIdList(writer, config.outgoingVoters);
  writeIdList(writer, config.learners);
}

/** Reads what {@link writeConfigBody} wrote. */
export function readConfigBody(reader: ByteReader): ClusterConfig {
  const voters = readIdList(reader);
  const outgoingVoters = readIdList(reader);
  const learners = readIdList(reader);
  return { voters, outgoingVoters, learners };
}

/**
 * Encodes a cluster configuration; the engine stores it as the data of `config` entries. The id lists
 * keep their order, so a decoded config compares equal to the encoded one.
 *
 * @throws RangeError if a list is too long to count (more than 2^53 - 1 ids).
 */
export function encodeConfig(config: ClusterConfig): Uint8Array {
  const writer = new ByteWriter(FrameKind.config, configBodySize(config));
  writeConfigBody(writer, config);
  return writer.finish();
}

/**
 * Decodes a frame written by {@link encodeConfig}. It checks the encoding only: duplicate or empty ids
 * are the configuration layer's to reject.
 *
 * @throws DecodeError for anything but a valid config frame within `limits`; never anything else.
 */
export function decodeConfig(bytes: Uint8Array, limits?: DecodeLimits): ClusterConfig {
  const resolved = resolveDecodeLimits(limits);
  const reader = new ByteReader(openFrame(bytes, FrameKind.config, resolved), resolved);
  const config = readConfigBody(reader);
  reader.end();
  return config;
}
