import { LockFormatError } from './lock-errors.js';
import { emptyLockState, type LockState, type Waiter } from './lock-state.js';

/** Name in the first line of every snapshot: refuses a stream of another program early. */
export const LOCK_SNAPSHOT_FORMAT = 'raft-locks-snapshot';
/** Version of the snapshot format; a reader refuses versions it does not know. */
export const LOCK_SNAPSHOT_VERSION = 1;
/** Chunks are cut at the first line end past this many characters. */
const CHUNK_CHARS = 64 * 1024;

/** One line of the snapshot (JSON): header, a session, a lock, a member, then the end with the counts. */
type SnapshotLine =
  | { readonly t: 'header'; readonly format: string; readonly version: number }
  | {
      readonly t: 's';
      readonly id: string;
      readonly ttlMs: number;
      readonly openedAt: number;
      readonly renewedAt: number;
    }
  | {
      readonly t: 'l';
      readonly name: string;
      readonly holder: string;
      readonly token: number;
      readonly queuedAt: number;
      /** `[session, queuedAt]` pairs, first in line first. */
      readonly waiters: readonly (readonly [string, number])[];
    }
  | { readonly t: 'm'; readonly id: string; readonly clientUrl: string; readonly peerUrl: string }
  | { readonly t: 'end'; readonly sessions: number; readonly locks: number; readonly members: number };

const encoder = new TextEncoder();

/**
 * Streams `state` as JSON lines in chunks of about 64 KiB: a header (format name and version), one line
 * per session, lock and member, and an end line with the three counts, which catches a truncated stream.
 * What sessions hold and wait for is not written: it follows from the locks.
 */
export async function* encodeLockSnapshot(state: LockState): AsyncGenerator<Uint8Array> {
  let buffer = '';
  const lines = function* (): Generator<SnapshotLine> {
    yield { t: 'header', format: LOCK_SNAPSHOT_FORMAT, version: LOCK_SNAPSHOT_VERSION };
    for (const [id, session] of state.sessions) {
      yield { t: 's', id, ttlMs: session.ttlMs, openedAt: session.openedAt, renewedAt: session.renewedAt };
    }
    for (const [name, lock] of state.locks) {
      const waiters = lock.waiters.map((waiter) => [waiter.session, waiter.queuedAt] as const);
      yield { t: 'l', name, holder: lock.holder, token: lock.token, queuedAt: lock.queuedAt, waiters };
    }
    for (const [id, member] of state.members) yield { t: 'm', id, ...member };
    yield { t: 'end', sessions: state.sessions.size, locks: state.locks.size, members: state.members.size };
  };
  for (const line of lines()) {
    buffer += `${JSON.stringify(line)}\n`;
    if (buffer.length >= CHUNK_CHARS) {
      yield encoder.encode(buffer);
      buffer = '';
    }
  }
  if (buffer !== '') yield encoder.encode(buffer);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Builds the state line by line, checking each line and the references between them. */
class SnapshotReader {
  readonly state = emptyLockState();
  private header = false;
  private ended = false;

  line(text: string): void {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new LockFormatError('a snapshot line is not JSON');
    }
    if (typeof line !== 'object' || line === null)
      throw new LockFormatError('a snapshot line is not an object');
    if (this.ended) throw new LockFormatError('data after the end of the snapshot');
    if (!this.header) {
      if (line['t'] !== 'header' || line['format'] !== LOCK_SNAPSHOT_FORMAT) {
        throw new LockFormatError('not a lock service snapshot');
      }
      if (line['version'] !== LOCK_SNAPSHOT_VERSION) {
        throw new LockFormatError(`unknown snapshot version ${String(line['version'])}`);
      }
      this.header = true;
      return;
    }
    switch (line['t']) {
      case 's':
        this.session(line);
        return;
      case 'l':
        this.lock(line);
        return;
      case 'm':
        if (!isName(line['id']) || !isName(line['clientUrl']) || !isName(line['peerUrl'])) {
          throw new LockFormatError('malformed member line');
        }
        this.state.members.set(line['id'], { clientUrl: line['clientUrl'], peerUrl: line['peerUrl'] });
        return;
      case 'end': {
        const { sessions, locks, members } = this.state;
        if (
          line['sessions'] !== sessions.size ||
          line['locks'] !== locks.size ||
          line['members'] !== members.size
        ) {
          throw new LockFormatError('the snapshot counts do not match its records');
        }
        this.ended = true;
        return;
      }
      default:
        throw new LockFormatError(`unknown snapshot line type ${String(line['t'])}`);
    }
  }

  finish(): LockState {
    if (!this.ended) throw new LockFormatError('the snapshot ends early');
    return this.state;
  }

  private session(line: Record<string, unknown>): void {
    const { id, ttlMs, openedAt, renewedAt } = line;
    if (!isName(id) || !isCount(ttlMs) || !isCount(openedAt) || !isCount(renewedAt)) {
      throw new LockFormatError('malformed session line');
    }
    if (this.state.sessions.has(id)) throw new LockFormatError(`session ${id} appears twice`);
    this.state.sessions.set(id, { ttlMs, openedAt, renewedAt, holds: new Set(), waits: new Set() });
  }

  private lock(line: Record<string, unknown>): void {
    const { name, holder, token, queuedAt, waiters } = line;
    if (
      !isName(name) ||
      !isName(holder) ||
      !isCount(token) ||
      !isCount(queuedAt) ||
      !Array.isArray(waiters)
    ) {
      throw new LockFormatError('malformed lock line');
    }
    if (this.state.locks.has(name)) throw new LockFormatError(`lock ${name} appears twice`);
    const owner = this.state.sessions.get(holder);
    if (owner === undefined) throw new LockFormatError(`lock ${name} is held by an unknown session`);
    owner.holds.add(name);
    const queue: Waiter[] = [];
    for (const pair of waiters as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || !isName(pair[0]) || !isCount(pair[1])) {
        throw new LockFormatError(`malformed waiter of lock ${name}`);
      }
      const waiting = this.state.sessions.get(pair[0]);
      if (waiting === undefined || waiting.waits.has(name) || pair[0] === holder) {
        throw new LockFormatError(`lock ${name} has an unknown, repeated or holding waiter`);
      }
      waiting.waits.add(name);
      queue.push({ session: pair[0], queuedAt: pair[1] });
    }
    this.state.locks.set(name, { holder, token, queuedAt, waiters: queue });
  }
}

/**
 * Decodes {@link encodeLockSnapshot}'s stream, however it is chunked, line by line as chunks arrive.
 * @throws LockFormatError for a foreign, malformed, truncated or inconsistent stream.
 */
export async function decodeLockSnapshot(chunks: AsyncIterable<Uint8Array>): Promise<LockState> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = new SnapshotReader();
  let rest = '';
  const take = (text: string): void => {
    rest += text;
    let start = 0;
    for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n', start)) {
      reader.line(rest.slice(start, newline));
      start = newline + 1;
    }
    rest = rest.slice(start);
  };
  try {
    for await (const chunk of chunks) take(decoder.decode(chunk, { stream: true }));
    take(decoder.decode());
  } catch (error) {
    if (error instanceof TypeError) throw new LockFormatError('the snapshot is not UTF-8');
    throw error;
  }
  if (rest !== '') throw new LockFormatError('the snapshot ends inside a line');
  return reader.finish();
}
