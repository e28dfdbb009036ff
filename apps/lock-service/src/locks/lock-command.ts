import { LockFormatError } from './lock-errors.js';

/** Format version of encoded commands: the `v` field of every command entry. */
export const LOCK_COMMAND_VERSION = 1;

/** One replicated operation of the lock service: a log entry's payload. */
export type LockCommand =
  /** Opens a session; `session` is chosen by the proposing node (random, never reused). */
  | { readonly op: 'open'; readonly session: string; readonly ttlMs: number }
  /** Renews a session: its leader-side TTL starts again when the leader applies this entry. */
  | { readonly op: 'keepalive'; readonly session: string }
  /** Ends a session on its owner's request, releasing its locks and leaving its queues. */
  | { readonly op: 'close'; readonly session: string }
  /**
   * Ends a session whose TTL elapsed on the leader's clock. Applies only if the session was not renewed
   * since the leader decided (`renewedAt` is the index of the renewal the leader saw last), so a keepalive
   * that commits before the expiry wins.
   */
  | { readonly op: 'expire'; readonly session: string; readonly renewedAt: number }
  /** Takes `lock` for `session`, or queues it (FIFO) when `wait` and the lock is held. */
  | { readonly op: 'acquire'; readonly session: string; readonly lock: string; readonly wait: boolean }
  /** Takes `session` out of `lock`'s queue (its wait timed out); reports the grant if it came first. */
  | { readonly op: 'leave'; readonly session: string; readonly lock: string }
  /** Releases `lock` if `session` holds it (and, when given, with this fencing `token`). */
  | {
      readonly op: 'release';
      readonly session: string;
      readonly lock: string;
      readonly token: number | null;
    }
  /** A member publishes its addresses so every node can list them (`GET /cluster`). */
  | {
      readonly op: 'announce';
      readonly member: string;
      readonly clientUrl: string;
      readonly peerUrl: string;
    };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a command as a log entry payload: UTF-8 JSON with the format version in `v`. */
export function encodeLockCommand(command: LockCommand): Uint8Array {
  return encoder.encode(JSON.stringify({ v: LOCK_COMMAND_VERSION, ...command }));
}

type Fields = Readonly<Record<string, unknown>>;

function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '')
    throw new LockFormatError(`"${name}" must be a non-empty string`);
  return value;
}

function count(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new LockFormatError(`"${name}" must be a non-negative integer`);
  }
  return value;
}

/** Decodes {@link encodeLockCommand}'s bytes. @throws LockFormatError for anything else. */
export function decodeLockCommand(data: Uint8Array): LockCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    throw new LockFormatError('not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LockFormatError('not a JSON object');
  }
  const fields = parsed as Fields;
  if (fields['v'] !== LOCK_COMMAND_VERSION)
    throw new LockFormatError(`unknown command version ${String(fields['v'])}`);
  const op = fields['op'];
  switch (op) {
    case 'open':
      return { op, session: text(fields, 'session'), ttlMs: count(fields, 'ttlMs') };
    case 'keepalive':
    case 'close':
      return { op, session: text(fields, 'session') };
    case 'expire':
      return { op, session: text(fields, 'session'), renewedAt: count(fields, 'renewedAt') };
    case 'acquire': {
      const wait = fields['wait'];
      if (typeof wait !== 'boolean') throw new LockFormatError('"wait" must be a boolean');
      return { op, session: text(fields, 'session'), lock: text(fields, 'lock'), wait };
    }
    case 'leave':
      return { op, session: text(fields, 'session'), lock: text(fields, 'lock') };
    case 'release':
      return {
        op,
        session: text(fields, 'session'),
        lock: text(fields, 'lock'),
        token: fields['token'] === null ? null : count(fields, 'token'),
      };
    case 'announce':
      return {
        op,
        member: text(fields, 'member'),
        clientUrl: text(fields, 'clientUrl'),
        peerUrl: text(fields, 'peerUrl'),
      };
    default:
      throw new LockFormatError(`unknown operation ${String(op)}`);
  }
}
