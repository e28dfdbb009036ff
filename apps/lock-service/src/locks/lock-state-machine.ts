import type { CommittedEntry, StateMachine } from '@raft/core';
import { decodeLockCommand, type LockCommand } from './lock-command.js';
import { LockFormatError } from './lock-errors.js';
import { decodeLockSnapshot, encodeLockSnapshot } from './lock-snapshot-codec.js';
import {
  emptyLockState,
  type Grant,
  type LockRecord,
  type LockResult,
  type LockState,
  type MemberAddresses,
  type SessionRecord,
} from './lock-state.js';

/** What changed in an applied entry, for the node-local observers (session expiry, waiting requests). */
export type LockEvent =
  /** A session was opened or kept alive by an entry applied now. */
  | { readonly type: 'renewed'; readonly session: string; readonly ttlMs: number }
  | { readonly type: 'ended'; readonly session: string }
  /** A lock's holder or queue changed. */
  | { readonly type: 'lock-changed'; readonly lock: string }
  /** The whole state was replaced by a snapshot. */
  | { readonly type: 'restored' };

/**
 * The replicated lock table: sessions, locks with FIFO queues, and fencing tokens. Deterministic: results
 * depend only on the state and the entries. A fencing token is the log index of the entry that granted
 * the lock, so tokens strictly increase for each lock across leader changes and restarts. Time never
 * enters here: a session ends only by an entry (`close`, or the leader's `expire`).
 *
 * Queries (`session`, `lock`, `sessions`, `members`) see the state as of the last applied entry; the HTTP
 * layer puts a ReadIndex barrier in front of them for linearizable reads.
 */
export class LockStateMachine implements StateMachine<LockResult> {
  private state: LockState = emptyLockState();
  private readonly listeners = new Set<(event: LockEvent) => void>();
  private pending: LockEvent[] = [];

  apply(entries: readonly CommittedEntry[]): LockResult[] {
    const results = entries.map((entry) => this.applyOne(entry));
    this.flush();
    return results;
  }

  /** Calls `listener` after each applied batch with what changed; returns the unsubscribe function. */
  subscribe(listener: (event: LockEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  session(id: string): Readonly<SessionRecord> | undefined {
    return this.state.sessions.get(id);
  }

  /** Every live session. */
  sessions(): ReadonlyMap<string, Readonly<SessionRecord>> {
    return this.state.sessions;
  }

  /** The lock's grant and queue, or undefined when nobody holds it (a free lock has no queue). */
  lock(name: string): Readonly<LockRecord> | undefined {
    return this.state.locks.get(name);
  }

  /** The number of held locks. */
  get lockCount(): number {
    return this.state.locks.size;
  }

  /** The addresses each member announced through the log. */
  members(): ReadonlyMap<string, MemberAddresses> {
    return this.state.members;
  }

  /** Captures the state now (a copy) and streams it in chunks while `apply` goes on. */
  snapshot(): AsyncIterable<Uint8Array> {
    return encodeLockSnapshot(copyState(this.state));
  }

  /** Replaces the whole state with a snapshot's. The old state stays if the snapshot is malformed. */
  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.state = await decodeLockSnapshot(chunks);
    this.pending.push({ type: 'restored' });
    this.flush();
  }

  private flush(): void {
    const events = this.pending;
    this.pending = [];
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  private applyOne(entry: CommittedEntry): LockResult {
    let command: LockCommand;
    try {
      command = decodeLockCommand(entry.data);
    } catch (error) {
      // Only this program proposes, so this is a bug or a foreign writer; refusing the entry keeps every
      // node identical (they all refuse it) without stopping the node.
      if (error instanceof LockFormatError) return { status: 'invalid' };
      throw error;
    }
    const index = entry.index;
    switch (command.op) {
      case 'open':
        return this.open(command.session, command.ttlMs, index);
      case 'keepalive': {
        const session = this.state.sessions.get(command.session);
        if (session === undefined) return { status: 'no-session' };
        session.renewedAt = index;
        this.pending.push({ type: 'renewed', session: command.session, ttlMs: session.ttlMs });
        return { status: 'renewed', session: command.session, ttlMs: session.ttlMs };
      }
      case 'close':
        return this.end(command.session, index);
      case 'expire': {
        const session = this.state.sessions.get(command.session);
        if (session === undefined) return { status: 'no-session' };
        if (session.renewedAt !== command.renewedAt) return { status: 'renewed-since' };
        return this.end(command.session, index);
      }
      case 'acquire':
        return this.acquire(command.session, command.lock, command.wait, index);
      case 'leave':
        return this.leave(command.session, command.lock);
      case 'release':
        return this.release(command.session, command.lock, command.token, index);
      case 'announce':
        this.state.members.set(command.member, { clientUrl: command.clientUrl, peerUrl: command.peerUrl });
        return { status: 'announced' };
      default: {
        const never: never = command;
        throw new TypeError(`unknown command ${String(never)}`);
      }
    }
  }

  private open(id: string, ttlMs: number, index: number): LockResult {
    if (this.state.sessions.has(id)) return { status: 'exists' };
    this.state.sessions.set(id, {
      ttlMs,
      openedAt: index,
      renewedAt: index,
      holds: new Set(),
      waits: new Set(),
    });
    this.pending.push({ type: 'renewed', session: id, ttlMs });
    return { status: 'opened', session: id, ttlMs };
  }

  /** Ends a session: it leaves every queue, then each lock it held passes to that lock's first waiter. */
  private end(id: string, index: number): LockResult {
    const session = this.state.sessions.get(id);
    if (session === undefined) return { status: 'no-session' };
    for (const name of session.waits) this.removeWaiter(name, id);
    // Sorted so that every node lists them alike, whatever order a snapshot restored the set in.
    const released = [...session.holds].sort();
    const grants: Grant[] = [];
    for (const name of released) {
      const next = this.pass(name, index);
      if (next !== null) grants.push(next);
    }
    this.state.sessions.delete(id);
    this.pending.push({ type: 'ended', session: id });
    return { status: 'ended', session: id, released, grants };
  }

  private acquire(id: string, name: string, wait: boolean, index: number): LockResult {
    const session = this.state.sessions.get(id);
    if (session === undefined) return { status: 'no-session' };
    const lock = this.state.locks.get(name);
    if (lock === undefined) {
      this.state.locks.set(name, { holder: id, token: index, queuedAt: index, waiters: [] });
      session.holds.add(name);
      this.pending.push({ type: 'lock-changed', lock: name });
      return { status: 'granted', grant: { lock: name, session: id, token: index, queuedAt: index } };
    }
    // Idempotent: a retried acquire gets the same grant, or keeps its place in the queue.
    if (lock.holder === id) return { status: 'granted', grant: grantOf(name, lock) };
    const position = lock.waiters.findIndex((waiter) => waiter.session === id);
    if (position >= 0)
      return { status: 'queued', position: position + 1, queuedAt: lock.waiters[position]!.queuedAt };
    if (!wait) return { status: 'busy', holder: lock.holder };
    lock.waiters.push({ session: id, queuedAt: index });
    session.waits.add(name);
    this.pending.push({ type: 'lock-changed', lock: name });
    return { status: 'queued', position: lock.waiters.length, queuedAt: index };
  }

  private leave(id: string, name: string): LockResult {
    if (!this.state.sessions.has(id)) return { status: 'no-session' };
    const lock = this.state.locks.get(name);
    // The grant came before the wait ended: the caller has the lock after all.
    if (lock?.holder === id) return { status: 'granted', grant: grantOf(name, lock) };
    this.removeWaiter(name, id);
    return { status: 'left', holder: lock?.holder ?? null };
  }

  private release(id: string, name: string, token: number | null, index: number): LockResult {
    if (!this.state.sessions.has(id)) return { status: 'no-session' };
    const lock = this.state.locks.get(name);
    if (lock === undefined || lock.holder !== id || (token !== null && lock.token !== token)) {
      return { status: 'not-holder' };
    }
    const released = lock.token;
    return { status: 'released', token: released, next: this.pass(name, index) };
  }

  /** The holder lets go: the first waiter gets the lock in this entry (token = `index`), else it is free. */
  private pass(name: string, index: number): Grant | null {
    const lock = this.state.locks.get(name)!;
    this.state.sessions.get(lock.holder)?.holds.delete(name);
    this.pending.push({ type: 'lock-changed', lock: name });
    const next = lock.waiters.shift();
    if (next === undefined) {
      this.state.locks.delete(name);
      return null;
    }
    const session = this.state.sessions.get(next.session)!;
    session.waits.delete(name);
    session.holds.add(name);
    lock.holder = next.session;
    lock.token = index;
    lock.queuedAt = next.queuedAt;
    return grantOf(name, lock);
  }

  private removeWaiter(name: string, id: string): void {
    this.state.sessions.get(id)?.waits.delete(name);
    const lock = this.state.locks.get(name);
    if (lock === undefined) return;
    const position = lock.waiters.findIndex((waiter) => waiter.session === id);
    if (position < 0) return;
    lock.waiters.splice(position, 1);
    this.pending.push({ type: 'lock-changed', lock: name });
  }
}

function grantOf(name: string, lock: LockRecord): Grant {
  return { lock: name, session: lock.holder, token: lock.token, queuedAt: lock.queuedAt };
}

function copyState(state: LockState): LockState {
  const sessions = new Map<string, SessionRecord>();
  for (const [id, session] of state.sessions) {
    sessions.set(id, { ...session, holds: new Set(session.holds), waits: new Set(session.waits) });
  }
  const locks = new Map<string, LockRecord>();
  for (const [name, lock] of state.locks) locks.set(name, { ...lock, waiters: [...lock.waiters] });
  return { sessions, locks, members: new Map(state.members) };
}
