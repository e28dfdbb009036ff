import { describe, expect, it } from 'vitest';
import { seededRandom, testSeed } from '../../test/support/seeded-random.js';
import { encodeLockCommand, type LockCommand } from './lock-command.js';
import type { LockResult } from './lock-state.js';
import { type LockEvent, LockStateMachine } from './lock-state-machine.js';

/** A state machine fed one command per entry, with consecutive log indices from 1. */
function machine() {
  const store = new LockStateMachine();
  let index = 0;
  const events: LockEvent[] = [];
  store.subscribe((event) => events.push(event));
  const apply = (command: LockCommand): LockResult => {
    index++;
    return store.apply([{ index, term: 1, data: encodeLockCommand(command) }])[0]!;
  };
  return { store, apply, events, index: () => index };
}

const open = (session: string, ttlMs = 1_000): LockCommand => ({ op: 'open', session, ttlMs });
const acquire = (session: string, lock = 'L', wait = true): LockCommand => ({
  op: 'acquire',
  session,
  lock,
  wait,
});
const release = (session: string, lock = 'L', token: number | null = null): LockCommand => ({
  op: 'release',
  session,
  lock,
  token,
});

describe('LockStateMachine', () => {
  it('open creates a session renewed at its own index; keepalive moves renewedAt; unknown sessions and reused ids are refused', () => {
    const { store, apply } = machine();
    expect(apply(open('a', 500))).toEqual({ status: 'opened', session: 'a', ttlMs: 500 });
    expect(store.session('a')).toMatchObject({ ttlMs: 500, openedAt: 1, renewedAt: 1 });
    expect(apply({ op: 'keepalive', session: 'a' })).toEqual({ status: 'renewed', session: 'a', ttlMs: 500 });
    expect(store.session('a')!.renewedAt).toBe(2);
    expect(apply({ op: 'keepalive', session: 'b' })).toEqual({ status: 'no-session' });
    expect(apply(open('a', 900))).toEqual({ status: 'exists' });
    expect(store.session('a')!.ttlMs).toBe(500);
  });

  it('a free lock is granted at once with the fencing token = the log index of the granting entry', () => {
    const { store, apply } = machine();
    apply(open('a'));
    apply(open('b'));
    expect(apply(acquire('a'))).toEqual({
      status: 'granted',
      grant: { lock: 'L', session: 'a', token: 3, queuedAt: 3 },
    });
    expect(store.lock('L')).toMatchObject({ holder: 'a', token: 3, waiters: [] });
    expect(apply(acquire('b', 'other'))).toMatchObject({ status: 'granted', grant: { token: 4 } });
  });

  it('acquire is idempotent: the holder gets the same grant, a waiter keeps its place', () => {
    const { apply } = machine();
    apply(open('a'));
    apply(open('b'));
    apply(open('c'));
    apply(acquire('a'));
    apply(acquire('b'));
    apply(acquire('c'));
    expect(apply(acquire('a'))).toEqual({
      status: 'granted',
      grant: { lock: 'L', session: 'a', token: 4, queuedAt: 4 },
    });
    expect(apply(acquire('b'))).toEqual({ status: 'queued', position: 1, queuedAt: 5 });
    expect(apply(acquire('c'))).toEqual({ status: 'queued', position: 2, queuedAt: 6 });
  });

  it('acquire without waiting on a held lock answers busy and does not queue', () => {
    const { store, apply } = machine();
    apply(open('a'));
    apply(open('b'));
    apply(acquire('a'));
    expect(apply(acquire('b', 'L', false))).toEqual({ status: 'busy', holder: 'a' });
    expect(store.lock('L')!.waiters).toEqual([]);
    expect(store.session('b')!.waits.size).toBe(0);
  });

  it('waiters are served first in, first out; each grant gets the releasing entry index as its token', () => {
    const { store, apply } = machine();
    for (const id of ['a', 'b', 'c', 'd']) apply(open(id));
    apply(acquire('a')); // 5
    apply(acquire('c')); // 6
    apply(acquire('b')); // 7
    apply(acquire('d')); // 8
    expect(apply(release('a'))).toEqual({
      status: 'released',
      token: 5,
      next: { lock: 'L', session: 'c', token: 9, queuedAt: 6 },
    });
    expect(apply(release('c', 'L', 9))).toMatchObject({ next: { session: 'b', token: 10, queuedAt: 7 } });
    expect(apply(release('b'))).toMatchObject({ next: { session: 'd', token: 11, queuedAt: 8 } });
    expect(apply(release('d'))).toEqual({ status: 'released', token: 11, next: null });
    expect(store.lock('L')).toBeUndefined();
    expect(store.lockCount).toBe(0);
  });

  it('release by a non-holder, with a stale token, or by an unknown session changes nothing', () => {
    const { store, apply } = machine();
    apply(open('a'));
    apply(open('b'));
    apply(acquire('a')); // token 3
    apply(acquire('b'));
    expect(apply(release('b'))).toEqual({ status: 'not-holder' });
    expect(apply(release('a', 'L', 2))).toEqual({ status: 'not-holder' });
    expect(apply(release('a', 'free'))).toEqual({ status: 'not-holder' });
    expect(apply(release('x'))).toEqual({ status: 'no-session' });
    expect(store.lock('L')).toMatchObject({ holder: 'a', token: 3 });
  });

  it('leave takes a waiter out of the queue; a leave that crosses the grant reports the grant instead', () => {
    const { store, apply } = machine();
    for (const id of ['a', 'b', 'c']) apply(open(id));
    apply(acquire('a'));
    apply(acquire('b')); // queued at 5
    apply(acquire('c')); // queued at 6
    expect(apply({ op: 'leave', session: 'b', lock: 'L' })).toEqual({ status: 'left', holder: 'a' });
    expect(store.session('b')!.waits.size).toBe(0);
    expect(apply(release('a'))).toMatchObject({ next: { session: 'c', token: 8 } });
    // c's wait timed out while the grant was being applied: the grant wins.
    expect(apply({ op: 'leave', session: 'c', lock: 'L' })).toEqual({
      status: 'granted',
      grant: { lock: 'L', session: 'c', token: 8, queuedAt: 6 },
    });
    expect(apply({ op: 'leave', session: 'b', lock: 'L' })).toEqual({ status: 'left', holder: 'c' });
    expect(apply({ op: 'leave', session: 'x', lock: 'L' })).toEqual({ status: 'no-session' });
  });

  it('close releases every held lock to its next waiter in that same entry and leaves every queue', () => {
    const { store, apply } = machine();
    for (const id of ['a', 'b', 'c']) apply(open(id));
    apply(acquire('a', 'L1'));
    apply(acquire('a', 'L2'));
    apply(acquire('b', 'L3'));
    apply(acquire('b', 'L1')); // queued
    apply(acquire('a', 'L3')); // a queued behind b's hold
    apply(acquire('c', 'L3')); // c queued behind a
    expect(apply({ op: 'close', session: 'a' })).toEqual({
      status: 'ended',
      session: 'a',
      released: ['L1', 'L2'],
      grants: [{ lock: 'L1', session: 'b', token: 10, queuedAt: 7 }],
    });
    expect(store.session('a')).toBeUndefined();
    expect(store.lock('L2')).toBeUndefined();
    expect(store.lock('L3')!.waiters).toEqual([{ session: 'c', queuedAt: 9 }]);
    expect(apply({ op: 'close', session: 'a' })).toEqual({ status: 'no-session' });
  });

  it('expire applies only if it names the last renewal: a keepalive committed before it wins', () => {
    const { store, apply } = machine();
    apply(open('a')); // renewed at 1
    apply(open('b'));
    apply(acquire('a'));
    apply(acquire('b'));
    apply({ op: 'keepalive', session: 'a' }); // renewed at 5
    expect(apply({ op: 'expire', session: 'a', renewedAt: 1 })).toEqual({ status: 'renewed-since' });
    expect(store.lock('L')!.holder).toBe('a');
    // An expired session's locks go to the next waiter.
    expect(apply({ op: 'expire', session: 'a', renewedAt: 5 })).toEqual({
      status: 'ended',
      session: 'a',
      released: ['L'],
      grants: [{ lock: 'L', session: 'b', token: 7, queuedAt: 4 }],
    });
    expect(apply({ op: 'keepalive', session: 'a' })).toEqual({ status: 'no-session' });
    expect(apply(acquire('a'))).toEqual({ status: 'no-session' });
  });

  it('a malformed entry is refused as invalid by every node and changes nothing; announce records addresses', () => {
    const { store, apply } = machine();
    const result = store.apply([{ index: 1, term: 1, data: new TextEncoder().encode('{"v":9}') }]);
    expect(result).toEqual([{ status: 'invalid' }]);
    expect(apply({ op: 'announce', member: 'n1', clientUrl: 'http://x', peerUrl: 'ws://y' })).toEqual({
      status: 'announced',
    });
    expect(store.members().get('n1')).toEqual({ clientUrl: 'http://x', peerUrl: 'ws://y' });
  });

  it('observers hear renewals, ends and lock changes after each batch', () => {
    const { apply, events } = machine();
    apply(open('a', 700));
    apply(acquire('a'));
    apply({ op: 'keepalive', session: 'a' });
    apply({ op: 'close', session: 'a' });
    expect(events).toEqual([
      { type: 'renewed', session: 'a', ttlMs: 700 },
      { type: 'lock-changed', lock: 'L' },
      { type: 'renewed', session: 'a', ttlMs: 700 },
      { type: 'lock-changed', lock: 'L' },
      { type: 'ended', session: 'a' },
    ]);
  });

  it('random operations keep the rules: one holder per lock, tokens strictly increase per lock, grants in FIFO order', () => {
    const seed = testSeed();
    const random = seededRandom(seed);
    const { store, apply } = machine();
    const sessions = ['a', 'b', 'c', 'd', 'e'];
    const locks = ['L1', 'L2'];
    const lastToken = new Map<string, number>();
    const lastQueuedAt = new Map<string, number>();
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    try {
      for (let step = 0; step < 3_000; step++) {
        const session = pick(sessions);
        const lock = pick(locks);
        const roll = random();
        const command: LockCommand =
          roll < 0.15
            ? open(session)
            : roll < 0.5
              ? acquire(session, lock, random() < 0.8)
              : roll < 0.75
                ? release(session, lock)
                : roll < 0.85
                  ? { op: 'leave', session, lock }
                  : roll < 0.92
                    ? { op: 'close', session }
                    : { op: 'expire', session, renewedAt: store.session(session)?.renewedAt ?? 0 };
        apply(command);
        for (const name of locks) {
          const record = store.lock(name);
          if (record === undefined) continue;
          // Exactly one live holder, which knows it holds; waiters are live, distinct, in queue order.
          expect(store.session(record.holder)!.holds.has(name)).toBe(true);
          const queued = record.waiters.map((waiter) => waiter.queuedAt);
          expect(queued).toEqual([...queued].sort((x, y) => x - y));
          expect(new Set(record.waiters.map((waiter) => waiter.session)).size).toBe(record.waiters.length);
          for (const waiter of record.waiters) expect(waiter.session).not.toBe(record.holder);
          // A new grant: a larger token, and (FIFO) a later queue position than every earlier grant.
          if (lastToken.get(name) !== record.token) {
            expect(record.token).toBeGreaterThan(lastToken.get(name) ?? 0);
            expect(record.queuedAt).toBeGreaterThan(lastQueuedAt.get(name) ?? 0);
            lastToken.set(name, record.token);
            lastQueuedAt.set(name, record.queuedAt);
          }
        }
      }
    } catch (error) {
      console.log(`lock state machine random test failed with seed ${seed} (RAFT_LOCKS_TEST_SEED=${seed})`);
      throw error;
    }
  });
});
