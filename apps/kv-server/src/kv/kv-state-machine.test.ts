import type { CommittedEntry } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { encodeKvCommand, type KvCommand } from './kv-command.js';
import { KvStateMachine } from './kv-state-machine.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

/** Applies commands one per entry, at consecutive indices starting from `firstIndex`. */
function applyAll(machine: KvStateMachine, commands: KvCommand[], firstIndex = 1) {
  const entries: CommittedEntry[] = commands.map((command, i) => ({
    index: firstIndex + i,
    term: 1,
    data: encodeKvCommand(command),
  }));
  return machine.apply(entries);
}

const put = (key: string, value: string, extra: Partial<KvCommand & { type: 'put' }> = {}): KvCommand => ({
  type: 'put',
  key,
  value: bytes(value),
  condition: { kind: 'none' },
  stamp: 1_000,
  ...extra,
});

describe('KvStateMachine', () => {
  it('a write gets its log index as revision, and the key remembers it', () => {
    const machine = new KvStateMachine();
    expect(applyAll(machine, [put('a', '1'), put('b', '2'), put('a', '3')], 5)).toEqual([
      { status: 'ok', revision: 5 },
      { status: 'ok', revision: 6 },
      { status: 'ok', revision: 7 },
    ]);
    expect(machine.get('a')?.revision).toBe(7);
    expect(text(machine.get('a')?.value)).toBe('3');
  });

  it('If-Match compares revisions: a stale revision fails with the current one and writes nothing', () => {
    const machine = new KvStateMachine();
    applyAll(machine, [put('k', 'v1')]);
    const [stale, fresh] = applyAll(
      machine,
      [
        put('k', 'v2', { condition: { kind: 'revision', revision: 9 } }),
        put('k', 'v3', { condition: { kind: 'revision', revision: 1 } }),
      ],
      2,
    );
    expect(stale).toEqual({ status: 'precondition-failed', revision: 1 });
    expect(fresh).toEqual({ status: 'ok', revision: 3 });
    expect(text(machine.get('k')?.value)).toBe('v3');
  });

  it('If-None-Match: * creates only; If-Match on a missing key fails with revision null', () => {
    const machine = new KvStateMachine();
    const results = applyAll(machine, [
      put('k', 'first', { condition: { kind: 'absent' } }),
      put('k', 'second', { condition: { kind: 'absent' } }),
      put('other', 'x', { condition: { kind: 'revision', revision: 1 } }),
      put('other', 'x', { condition: { kind: 'exists' } }),
    ]);
    expect(results).toEqual([
      { status: 'ok', revision: 1 },
      { status: 'precondition-failed', revision: 1 },
      { status: 'precondition-failed', revision: null },
      { status: 'precondition-failed', revision: null },
    ]);
    expect(text(machine.get('k')?.value)).toBe('first');
  });

  it('a delete removes the key, and deleting a missing key is not-found', () => {
    const machine = new KvStateMachine();
    const results = applyAll(machine, [
      put('k', 'v'),
      { type: 'delete', key: 'k', condition: { kind: 'none' }, stamp: 1 },
      { type: 'delete', key: 'k', condition: { kind: 'none' }, stamp: 1 },
    ]);
    expect(results).toEqual([
      { status: 'ok', revision: 1 },
      { status: 'ok', revision: 2 },
      { status: 'not-found' },
    ]);
    expect(machine.get('k')).toBeUndefined();
  });

  it('a write with a seen idempotency key returns the first result and is applied once', () => {
    const machine = new KvStateMachine();
    const idempotency = { key: 'req-1', expiresAt: 5_000 };
    const results = applyAll(machine, [
      put('counter', 'one', { idempotency }),
      put('counter', 'two', { idempotency, stamp: 2_000 }),
    ]);
    expect(results).toEqual([
      { status: 'ok', revision: 1 },
      { status: 'ok', revision: 1 },
    ]);
    expect(text(machine.get('counter')?.value)).toBe('one');
  });

  it('idempotency records expire once a command stamped past their expiry is applied (replicated time)', () => {
    const machine = new KvStateMachine();
    applyAll(machine, [put('k', 'one', { idempotency: { key: 'r', expiresAt: 5_000 }, stamp: 1_000 })]);
    // A later command from any node advances the replicated clock past the expiry.
    applyAll(machine, [put('other', 'x', { stamp: 6_000 })], 2);
    const [retry] = applyAll(
      machine,
      [put('k', 'two', { idempotency: { key: 'r', expiresAt: 11_000 }, stamp: 6_001 })],
      3,
    );
    expect(retry).toEqual({ status: 'ok', revision: 3 });
    expect(text(machine.get('k')?.value)).toBe('two');
  });

  it('an entry that is not a command of this format is refused on every node alike, state untouched', () => {
    const machine = new KvStateMachine();
    expect(machine.apply([{ index: 1, term: 1, data: new Uint8Array([99, 1, 2]) }])).toEqual([
      { status: 'invalid' },
    ]);
    expect(machine.size).toBe(0);
  });

  it('list returns keys under a prefix in order, bounded by limit', () => {
    const machine = new KvStateMachine();
    applyAll(machine, [put('b/2', 'x'), put('a', 'x'), put('b/1', 'x'), put('b/3', 'x'), put('c', 'x')]);
    expect(machine.list('b/', 2)).toEqual({
      items: [
        { key: 'b/1', revision: 3 },
        { key: 'b/2', revision: 1 },
      ],
      more: true,
    });
    expect(machine.list('', 10).items.map((item) => item.key)).toEqual(['a', 'b/1', 'b/2', 'b/3', 'c']);
  });

  it("announce records a member's addresses", () => {
    const machine = new KvStateMachine();
    applyAll(machine, [
      { type: 'announce', member: 'n1', clientUrl: 'http://h:1', peerUrl: 'ws://h:2', stamp: 1 },
    ]);
    expect(machine.members().get('n1')).toEqual({ clientUrl: 'http://h:1', peerUrl: 'ws://h:2' });
  });
});
