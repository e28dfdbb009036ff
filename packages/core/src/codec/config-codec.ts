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

/** Longest member address the decoder accepts, in UTF-8 bytes. */
const MAX_ADDRESS_BYTES = 4096;

/**
 * Whether the address list is written: `always` inside messages; `if-any` in config frames, whose
 * older form (before addresses existed) ends after the learners, so frames without addresses stay
 * byte-identical and frames already in logs still decode.
 */
type AddressSection = 'always' | 'if-any';

/** The address pairs in id order: one canonical encoding whatever order the object's keys have. */
function addressEntries(config: ClusterConfig): [string, string][] {
  if (config.addresses === undefined) return [];
  return Object.entries(config.addresses).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Bytes of a configuration's body (inside a config frame or a message). */
export function configBodySize(config: ClusterConfig, section: AddressSection = 'always'): number {
  let size = idListSize(config.voters) + idListSize(config.outgoingVoters) + idListSize(config.learners);
  const addresses = addressEntries(config);
  if (section === 'always' || addresses.length > 0) {
    size += varintSize(addresses.length);
    for (const [id, address] of addresses) size += stringSize(id) + stringSize(address);
  }
  return size;
}

/**
 * Writes a configuration's body: voters, outgoing voters, learners (each a count then ids), then the
 * members' addresses (a count, then id and address pairs).
 */
export function writeConfigBody(
  writer: ByteWriter,
  config: ClusterConfig,
  section: AddressSection = 'always',
): void {
  writeIdList(writer, config.voters);
  writeIdList(writer, config.outgoingVoters);
  writeIdList(writer, config.learners);
  const addresses = addressEntries(config);
  if (section === 'if-any' && addresses.length === 0) return;
  writer.varint(addresses.length);
  for (const [id, address] of addresses) {
    writer.string(id);
    writer.string(address);
  }
}

/** Reads what {@link writeConfigBody} wrote. */
export function readConfigBody(reader: ByteReader, section: AddressSection = 'always'): ClusterConfig {
  const voters = readIdList(reader);
  const outgoingVoters = readIdList(reader);
  const learners = readIdList(reader);
  if (section === 'if-any' && reader.atEnd()) return { voters, outgoingVoters, learners };
  const count = reader.count(2, Number.POSITIVE_INFINITY, 'addresses');
  if (count === 0) {
    // A frame writes the section only when it has addresses: an empty one is not canonical.
    if (section === 'if-any') throw reader.error('empty address list');
    return { voters, outgoingVoters, learners };
  }
  const pairs: [NodeId, string][] = [];
  for (let i = 0; i < count; i++) {
    const id = reader.id();
    const previous = pairs[i - 1];
    if (previous !== undefined && !(previous[0] < id)) throw reader.error('address ids out of order');
    pairs.push([id, reader.text(MAX_ADDRESS_BYTES)]);
  }
  // fromEntries defines own properties, so an id such as "__proto__" is just a key.
  return { voters, outgoingVoters, learners, addresses: Object.fromEntries(pairs) };
}

/**
 * Encodes a cluster configuration; the engine stores it as the data of `config` entries. The id lists
 * keep their order, so a decoded config compares equal to the encoded one.
 *
 * @throws RangeError if a list is too long to count (more than 2^53 - 1 ids).
 */
export function encodeConfig(config: ClusterConfig): Uint8Array {
  const writer = new ByteWriter(FrameKind.config, configBodySize(config, 'if-any'));
  writeConfigBody(writer, config, 'if-any');
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
  const config = readConfigBody(reader, 'if-any');
  reader.end();
  return config;
}
