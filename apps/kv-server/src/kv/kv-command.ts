import { ByteReader } from './byte-reader.js';
import { ByteWriter, stringSize, varintSize } from './byte-writer.js';
import { KvFormatError } from './kv-errors.js';

/** Format version of encoded commands; the first byte of every command entry. */
export const KV_COMMAND_VERSION = 1;

/** The precondition of a write: HTTP `If-Match` / `If-None-Match`. */
export type KvCondition =
  | { readonly kind: 'none' }
  /** `If-Match: "<revision>"`: the key exists at exactly this revision (compare-and-set). */
  | { readonly kind: 'revision'; readonly revision: number }
  /** `If-Match: *`: the key exists, at any revision. */
  | { readonly kind: 'exists' }
  /** `If-None-Match: *`: the key does not exist (create-only). */
  | { readonly kind: 'absent' };

/**
 * Makes a write safe to retry: the first write carrying `key` is applied, later ones with the same key
 * get its result. `expiresAt` is the proposer's wall clock plus the configured time to live: the state
 * machine forgets the key once it has applied a command stamped later than that (replicated data, so
 * every node forgets it at the same log position).
 */
export interface KvIdempotency {
  readonly key: string;
  readonly expiresAt: number;
}

interface CommandBase {
  /** The proposer's wall clock (ms) when it proposed; only ever compared, never trusted as "now". */
  readonly stamp: number;
}

/** One replicated operation: a log entry's payload. */
export type KvCommand =
  | (CommandBase & {
      readonly type: 'put';
      readonly key: string;
      readonly value: Uint8Array;
      readonly condition: KvCondition;
      readonly idempotency?: KvIdempotency | undefined;
    })
  | (CommandBase & {
      readonly type: 'delete';
      readonly key: string;
      readonly condition: KvCondition;
      readonly idempotency?: KvIdempotency | undefined;
    })
  /** A member publishes its addresses so every node can list them (`GET /cluster`). */
  | (CommandBase & {
      readonly type: 'announce';
      readonly member: string;
      readonly clientUrl: string;
      readonly peerUrl: string;
    });

const OP_PUT = 1;
const OP_DELETE = 2;
const OP_ANNOUNCE = 3;
const CONDITION_CODES = { none: 0, revision: 1, exists: 2, absent: 3 } as const;

function writeCondition(writer: ByteWriter, condition: KvCondition): void {
  writer.byte(CONDITION_CODES[condition.kind]);
  if (condition.kind === 'revision') writer.varint(condition.revision);
}

function readCondition(reader: ByteReader): KvCondition {
  const code = reader.byte();
  switch (code) {
    case CONDITION_CODES.none:
      return { kind: 'none' };
    case CONDITION_CODES.revision:
      return { kind: 'revision', revision: reader.varint() };
    case CONDITION_CODES.exists:
      return { kind: 'exists' };
    case CONDITION_CODES.absent:
      return { kind: 'absent' };
    default:
      throw new KvFormatError(`unknown condition ${code}`);
  }
}

function writeIdempotency(writer: ByteWriter, idempotency: KvIdempotency | undefined): void {
  if (idempotency === undefined) {
    writer.byte(0);
    return;
  }
  writer.byte(1).string(idempotency.key).varint(idempotency.expiresAt);
}

function readIdempotency(reader: ByteReader): KvIdempotency | undefined {
  const flag = reader.byte();
  if (flag === 0) return undefined;
  if (flag !== 1) throw new KvFormatError(`bad idempotency flag ${flag}`);
  return { key: reader.string(), expiresAt: reader.varint() };
}

function conditionSize(condition: KvCondition): number {
  return 1 + (condition.kind === 'revision' ? varintSize(condition.revision) : 0);
}

function idempotencySize(idempotency: KvIdempotency | undefined): number {
  return idempotency === undefined ? 1 : 1 + stringSize(idempotency.key) + varintSize(idempotency.expiresAt);
}

/** Bytes {@link encodeKvCommand} writes for `command`, so that it allocates once and never copies. */
export function encodedKvCommandSize(command: KvCommand): number {
  const head = 2 + varintSize(command.stamp);
  switch (command.type) {
    case 'put':
      return (
        head +
        stringSize(command.key) +
        conditionSize(command.condition) +
        idempotencySize(command.idempotency) +
        varintSize(command.value.length) +
        command.value.length
      );
    case 'delete':
      return (
        head +
        stringSize(command.key) +
        conditionSize(command.condition) +
        idempotencySize(command.idempotency)
      );
    case 'announce':
      return head + stringSize(command.member) + stringSize(command.clientUrl) + stringSize(command.peerUrl);
    default: {
      const never: never = command;
      throw new TypeError(`unknown command ${String(never)}`);
    }
  }
}

/** Encodes a command as a log entry payload: version, operation, stamp, then the operation's fields. */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  const writer = new ByteWriter(encodedKvCommandSize(command));
  writer.byte(KV_COMMAND_VERSION);
  switch (command.type) {
    case 'put':
      writer.byte(OP_PUT).varint(command.stamp).string(command.key);
      writeCondition(writer, command.condition);
      writeIdempotency(writer, command.idempotency);
      writer.bytes(command.value);
      break;
    case 'delete':
      writer.byte(OP_DELETE).varint(command.stamp).string(command.key);
      writeCondition(writer, command.condition);
      writeIdempotency(writer, command.idempotency);
      break;
    case 'announce':
      writer.byte(OP_ANNOUNCE).varint(command.stamp).string(command.member);
      writer.string(command.clientUrl).string(command.peerUrl);
      break;
    default: {
      const never: never = command;
      throw new TypeError(`unknown command ${String(never)}`);
    }
  }
  return writer.finish();
}

/** Decodes {@link encodeKvCommand}'s bytes. @throws KvFormatError for anything else. */
export function decodeKvCommand(data: Uint8Array): KvCommand {
  const reader = new ByteReader(data);
  const version = reader.byte();
  if (version !== KV_COMMAND_VERSION) throw new KvFormatError(`unknown command version ${version}`);
  const op = reader.byte();
  const stamp = reader.varint();
  let command: KvCommand;
  if (op === OP_PUT || op === OP_DELETE) {
    const key = reader.string();
    const condition = readCondition(reader);
    const idempotency = readIdempotency(reader);
    const base =
      op === OP_PUT
        ? { type: 'put' as const, stamp, key, condition, value: reader.bytes() }
        : { type: 'delete' as const, stamp, key, condition };
    command = idempotency === undefined ? base : { ...base, idempotency };
  } else if (op === OP_ANNOUNCE) {
    command = {
      type: 'announce',
      stamp,
      member: reader.string(),
      clientUrl: reader.string(),
      peerUrl: reader.string(),
    };
  } else {
    throw new KvFormatError(`unknown operation ${op}`);
  }
  reader.end();
  return command;
}
