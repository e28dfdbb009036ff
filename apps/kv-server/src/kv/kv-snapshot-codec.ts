import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { KvFormatError } from './kv-errors.js';
import { emptyKvState, type KvResult, type KvState } from './kv-state.js';

/** Format version of snapshots written by {@link encodeKvSnapshot}. */
export const KV_SNAPSHOT_VERSION = 1;

/** Chunks are cut once they reach this size (a single large value may make one chunk larger). */
const CHUNK_BYTES = 64 * 1024;
const MAGIC = [0x52, 0x4b, 0x56, 0x53]; // "RKVS"
const RECORD_HEADER = 1;
const RECORD_VALUE = 2;
const RECORD_DEDUP = 3;
const RECORD_MEMBER = 4;
const RECORD_END = 5;
const RESULT_CODES = { ok: 0, 'not-found': 1, 'precondition-failed': 2, invalid: 3 } as const;

function writeResult(writer: ByteWriter, result: KvResult): void {
  writer.byte(RESULT_CODES[result.status]);
  if (result.status === 'ok') writer.varint(result.revision);
  if (result.status === 'precondition-failed')
    writer.varint(result.revision === null ? 0 : result.revision + 1);
}

function readResult(reader: ByteReader): KvResult {
  const code = reader.byte();
  switch (code) {
    case RESULT_CODES.ok:
      return { status: 'ok', revision: reader.varint() };
    case RESULT_CODES['not-found']:
      return { status: 'not-found' };
    case RESULT_CODES['precondition-failed']: {
      const shifted = reader.varint();
      return { status: 'precondition-failed', revision: shifted === 0 ? null : shifted - 1 };
    }
    case RESULT_CODES.invalid:
      return { status: 'invalid' };
    default:
      throw new KvFormatError(`unknown result code ${code}`);
  }
}

/**
 * Streams `state` as a snapshot: the magic "RKVS", then length-prefixed records (a header with the format
 * version and the newest stamp, one record per value, idempotency record and member, and an end record
 * with the counts, which catches a truncated stream). The caller must pass a state that no longer
 * changes (a copy); the generator reads it lazily, one chunk of about 64 KiB at a time.
 */
export async function* encodeKvSnapshot(state: KvState): AsyncGenerator<Uint8Array> {
  const out = new ByteWriter(CHUNK_BYTES * 2);
  for (const byte of MAGIC) out.byte(byte);
  const record = new ByteWriter();
  const emit = (): void => {
    out.bytes(record.take());
  };
  record.byte(RECORD_HEADER).varint(KV_SNAPSHOT_VERSION).varint(state.newestStamp);
  emit();
  for (const [key, stored] of state.values) {
    record.byte(RECORD_VALUE).string(key).varint(stored.revision).bytes(stored.value);
    emit();
    if (out.size >= CHUNK_BYTES) yield out.take();
  }
  for (const [key, dedup] of state.dedup) {
    record.byte(RECORD_DEDUP).string(key).varint(dedup.expiresAt);
    writeResult(record, dedup.result);
    emit();
    if (out.size >= CHUNK_BYTES) yield out.take();
  }
  for (const [id, member] of state.members) {
    record.byte(RECORD_MEMBER).string(id).string(member.clientUrl).string(member.peerUrl);
    emit();
  }
  record.byte(RECORD_END).varint(state.values.size).varint(state.dedup.size).varint(state.members.size);
  emit();
  yield out.take();
}

/** Pulls bytes from a chunk stream on demand, keeping only the unread remainder. */
class ChunkCursor {
  private pending = new Uint8Array(0);
  private offset = 0;
  private done = false;

  constructor(private readonly iterator: AsyncIterator<Uint8Array>) {}

  /** Ensures `count` bytes are buffered; returns how many are (fewer only at the end of the stream). */
  async fill(count: number): Promise<number> {
    while (this.pending.length - this.offset < count && !this.done) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      const rest = this.pending.subarray(this.offset);
      const merged = new Uint8Array(rest.length + next.value.length);
      merged.set(rest);
      merged.set(next.value, rest.length);
      this.pending = merged;
      this.offset = 0;
    }
    return this.pending.length - this.offset;
  }

  view(): Uint8Array {
    return this.pending.subarray(this.offset);
  }

  skip(count: number): void {
    this.offset += count;
  }
}

/** Reads one varint-prefixed record, or undefined at the clean end of the stream. */
async function nextRecord(cursor: ChunkCursor): Promise<ByteReader | undefined> {
  const available = await cursor.fill(8);
  if (available === 0) return undefined;
  const prefix = new ByteReader(cursor.view().subarray(0, Math.min(available, 8)));
  const length = prefix.varint();
  const headerBytes = Math.min(available, 8) - prefix.remaining;
  if ((await cursor.fill(headerBytes + length)) < headerBytes + length) {
    throw new KvFormatError('snapshot truncated inside a record');
  }
  const body = cursor.view().slice(headerBytes, headerBytes + length);
  cursor.skip(headerBytes + length);
  return new ByteReader(body);
}

/**
 * Rebuilds the state from {@link encodeKvSnapshot}'s chunks, however they were split or joined on the
 * way. @throws KvFormatError for a stream that is not a complete snapshot of this format.
 */
export async function decodeKvSnapshot(chunks: AsyncIterable<Uint8Array>): Promise<KvState> {
  const cursor = new ChunkCursor(chunks[Symbol.asyncIterator]());
  if ((await cursor.fill(MAGIC.length)) < MAGIC.length) throw new KvFormatError('not a kv snapshot');
  const magic = cursor.view();
  if (MAGIC.some((byte, i) => magic[i] !== byte)) throw new KvFormatError('not a kv snapshot');
  cursor.skip(MAGIC.length);
  const header = await nextRecord(cursor);
  if (header === undefined || header.byte() !== RECORD_HEADER) throw new KvFormatError('missing header');
  const version = header.varint();
  if (version !== KV_SNAPSHOT_VERSION) throw new KvFormatError(`unknown snapshot version ${version}`);
  const state = emptyKvState();
  state.newestStamp = header.varint();
  header.end();
  for (;;) {
    const record = await nextRecord(cursor);
    if (record === undefined) throw new KvFormatError('snapshot truncated: no end record');
    const kind = record.byte();
    if (kind === RECORD_END) {
      const counts = [record.varint(), record.varint(), record.varint()];
      record.end();
      if (
        counts[0] !== state.values.size ||
        counts[1] !== state.dedup.size ||
        counts[2] !== state.members.size
      ) {
        throw new KvFormatError('snapshot counts do not match its records');
      }
      if ((await cursor.fill(1)) !== 0) throw new KvFormatError('bytes after the end record');
      return state;
    }
    if (kind === RECORD_VALUE) {
      const key = record.string();
      const revision = record.varint();
      state.values.set(key, { revision, value: record.bytes() });
    } else if (kind === RECORD_DEDUP) {
      const key = record.string();
      const expiresAt = record.varint();
      state.dedup.set(key, { expiresAt, result: readResult(record) });
    } else if (kind === RECORD_MEMBER) {
      const id = record.string();
      state.members.set(id, { clientUrl: record.string(), peerUrl: record.string() });
    } else {
      throw new KvFormatError(`unknown snapshot record ${kind}`);
    }
    record.end();
  }
}
