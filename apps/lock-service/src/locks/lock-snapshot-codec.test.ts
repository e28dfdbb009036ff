import { describe, expect, it } from 'vitest';
import { encodeLockCommand, type LockCommand } from './lock-command.js';
import { decodeLockSnapshot, encodeLockSnapshot } from './lock-snapshot-codec.js';
import { LockStateMachine } from './lock-state-machine.js';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.slice(offset, offset + size);
}

const text = (value: string) => new TextEncoder().encode(value);

/** A state machine with sessions, held locks with queues, a lock name outside ASCII and members. */
function populated(extraSessions = 0): { store: LockStateMachine; apply: (command: LockCommand) => void } {
  const store = new LockStateMachine();
  let index = 0;
  const apply = (command: LockCommand) => {
    index++;
    store.apply([{ index, term: 1, data: encodeLockCommand(command) }]);
  };
  for (const id of ['a', 'b', 'c']) apply({ op: 'open', session: id, ttlMs: 2_000 });
  apply({ op: 'acquire', session: 'a', lock: 'verrou-é-🔒', wait: true });
  apply({ op: 'acquire', session: 'b', lock: 'verrou-é-🔒', wait: true });
  apply({ op: 'acquire', session: 'c', lock: 'verrou-é-🔒', wait: true });
  apply({ op: 'acquire', session: 'b', lock: 'L2', wait: true });
  apply({ op: 'keepalive', session: 'c' });
  apply({ op: 'announce', member: 'n1', clientUrl: 'http://127.0.0.1:1', peerUrl: 'ws://127.0.0.1:2' });
  for (let i = 0; i < extraSessions; i++) {
    apply({ op: 'open', session: `s${i}`, ttlMs: 1_000 + i });
    apply({ op: 'acquire', session: `s${i}`, lock: `lock-${i % 50}`, wait: true });
  }
  return { store, apply };
}

/** Everything observable about a state machine, for comparisons. */
function view(store: LockStateMachine) {
  const sessions = [...store.sessions()].map(([id, session]) => ({
    id,
    ...session,
    holds: [...session.holds].sort(),
    waits: [...session.waits].sort(),
  }));
  const locks = [...new Set(sessions.flatMap((session) => session.holds))]
    .sort()
    .map((name) => [name, structuredClone(store.lock(name))]);
  return { sessions, locks, members: [...store.members()] };
}

describe('lock snapshot codec', () => {
  it('round-trips the whole state through any chunking, and the restored machine then behaves the same', async () => {
    const { store } = populated(1_000);
    const bytes = await collect(store.snapshot());
    expect(bytes.length).toBeGreaterThan(64 * 1024); // more than one encoder chunk
    for (const size of [1, 7, 4_096, bytes.length]) {
      const restored = new LockStateMachine();
      await restored.restore(chunked(bytes, size));
      expect(view(restored)).toEqual(view(store));
    }
    const restored = new LockStateMachine();
    await restored.restore(chunked(bytes, 1_000));
    const next = [
      {
        index: 1_000,
        term: 2,
        data: encodeLockCommand({ op: 'release', session: 'a', lock: 'verrou-é-🔒', token: null }),
      },
      { index: 1_001, term: 2, data: encodeLockCommand({ op: 'expire', session: 'c', renewedAt: 8 }) },
    ];
    expect(restored.apply(next)).toEqual(store.apply(next));
    expect(view(restored)).toEqual(view(store));
  });

  it('captures the state when snapshot() is called: entries applied while the stream is read are not in it', async () => {
    const { store, apply } = populated();
    const before = view(store);
    const stream = store.snapshot();
    apply({ op: 'close', session: 'a' });
    apply({ op: 'open', session: 'late', ttlMs: 5 });
    const restored = new LockStateMachine();
    await restored.restore(stream);
    expect(view(restored)).toEqual(before);
  });

  it('restore emits one restored event; a malformed stream is refused and the old state stays', async () => {
    const { store } = populated();
    const bytes = await collect(store.snapshot());
    const target = new LockStateMachine();
    const events: string[] = [];
    target.subscribe((event) => events.push(event.type));
    await target.restore(chunked(bytes, 100));
    expect(events).toEqual(['restored']);
    const good = view(target);
    const lines = new TextDecoder().decode(bytes).split('\n');
    const broken: [string, Uint8Array][] = [
      ['truncated', bytes.slice(0, bytes.length - 30)],
      ['without its end line', text(`${lines.slice(0, -2).join('\n')}\n`)],
      ['foreign', text('{"t":"header","format":"other","version":1}\n')],
      ['of an unknown version', text(`{"t":"header","format":"raft-locks-snapshot","version":2}\n`)],
      [
        'with data after the end',
        text(`${lines.join('\n')}{"t":"m","id":"x","clientUrl":"a","peerUrl":"b"}\n`),
      ],
      [
        'with a lock held by an unknown session',
        text(
          '{"t":"header","format":"raft-locks-snapshot","version":1}\n' +
            '{"t":"l","name":"L","holder":"ghost","token":3,"queuedAt":3,"waiters":[]}\n' +
            '{"t":"end","sessions":0,"locks":1,"members":0}\n',
        ),
      ],
      [
        'with wrong counts',
        text(`${lines.slice(0, -2).join('\n')}\n{"t":"end","sessions":0,"locks":0,"members":0}\n`),
      ],
      ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x0a])],
      ['not JSON', text('hello\n')],
    ];
    for (const [what, data] of broken) {
      await expect(target.restore(chunked(data, 5)), what).rejects.toMatchObject({
        code: 'RAFT_LOCKS_FORMAT',
      });
      expect(view(target)).toEqual(good);
    }
  });

  it('encodes an empty state and decodes it back to an empty state', async () => {
    const state = await decodeLockSnapshot(
      encodeLockSnapshot({ sessions: new Map(), locks: new Map(), members: new Map() }),
    );
    expect(state.sessions.size + state.locks.size + state.members.size).toBe(0);
  });
});
