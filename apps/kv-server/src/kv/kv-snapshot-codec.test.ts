import { describe, expect, it } from 'vitest';
import { encodeKvCommand } from './kv-command.js';
import { KvFormatError } from './kv-errors.js';
import { decodeKvSnapshot, encodeKvSnapshot } from './kv-snapshot-codec.js';
import { KvStateMachine } from './kv-state-machine.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function* replay(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** A machine with values of many sizes (one over a chunk), idempotency records of each result kind and members. */
function populated(): KvStateMachine {
  const machine = new KvStateMachine();
  const entries = [];
  let index = 1;
  for (let i = 0; i < 500; i++) {
    const value = new Uint8Array(i === 7 ? 200_000 : i % 50).fill(i % 256);
    entries.push({
      index: index++,
      term: 1,
      data: encodeKvCommand({
        type: 'put',
        key: `key-${i}-é`,
        value,
        condition: { kind: 'none' },
        stamp: 1_000 + i,
        ...(i % 3 === 0 ? { idempotency: { key: `idem-${i}`, expiresAt: 10_000_000 + i } } : {}),
      }),
    });
  }
  entries.push({
    index: index++,
    term: 2,
    data: encodeKvCommand({
      type: 'delete',
      key: 'missing',
      condition: { kind: 'none' },
      stamp: 2_000,
      idempotency: { key: 'idem-nf', expiresAt: 10_000_000 },
    }),
  });
  entries.push({
    index: index++,
    term: 2,
    data: encodeKvCommand({
      type: 'put',
      key: 'key-1-é',
      value: new Uint8Array(1),
      condition: { kind: 'revision', revision: 99 },
      stamp: 2_001,
      idempotency: { key: 'idem-pf', expiresAt: 10_000_000 },
    }),
  });
  entries.push({
    index: index++,
    term: 2,
    data: encodeKvCommand({
      type: 'announce',
      member: 'n1',
      clientUrl: 'http://127.0.0.1:1',
      peerUrl: 'ws://127.0.0.1:2',
      stamp: 2_002,
    }),
  });
  machine.apply(entries);
  return machine;
}

/** Everything observable about a machine, for comparing two of them. */
function observe(machine: KvStateMachine) {
  const listed = machine.list('', Number.MAX_SAFE_INTEGER).items;
  return {
    listed,
    values: listed.map((item) => Array.from(machine.get(item.key)!.value)),
    members: [...machine.members()],
  };
}

describe('KV snapshots', () => {
  it('round trip: restore(snapshot()) reproduces values, revisions, members and idempotency records', async () => {
    const source = populated();
    const chunks = await collect(source.snapshot());
    expect(chunks.length).toBeGreaterThan(1);
    const target = new KvStateMachine();
    await target.restore(replay(chunks));
    expect(observe(target)).toEqual(observe(source));
    // The dedup table came along: a retry of a remembered write returns the first result on both.
    const retry = {
      index: 10_000,
      term: 3,
      data: encodeKvCommand({
        type: 'put',
        key: 'key-3-é',
        value: new Uint8Array([1]),
        condition: { kind: 'none' },
        stamp: 3_000,
        idempotency: { key: 'idem-3', expiresAt: 20_000_000 },
      }),
    };
    expect(target.apply([retry])).toEqual(source.apply([retry]));
    expect(target.apply([retry])).toEqual([{ status: 'ok', revision: 4 }]);
  });

  it('the snapshot captures the state at call time; later applies do not leak into the stream', async () => {
    const machine = new KvStateMachine();
    const write = (index: number, key: string) => ({
      index,
      term: 1,
      data: encodeKvCommand({
        type: 'put',
        key,
        value: new Uint8Array([index]),
        condition: { kind: 'none' },
        stamp: 1,
      }),
    });
    machine.apply([write(1, 'a')]);
    const stream = machine.snapshot();
    machine.apply([write(2, 'b'), write(3, 'a')]);
    const restored = new KvStateMachine();
    await restored.restore(stream);
    expect(restored.list('', 10).items).toEqual([{ key: 'a', revision: 1 }]);
  });

  it('decoding is independent of how the bytes were split into chunks', async () => {
    const whole = concat(await collect(populated().snapshot()));
    const pieces: Uint8Array[] = [];
    for (let offset = 0, size = 1; offset < whole.length; offset += size, size = ((size * 7) % 4093) + 1) {
      pieces.push(whole.slice(offset, offset + size));
    }
    const fromPieces = await decodeKvSnapshot(replay(pieces));
    const fromWhole = await decodeKvSnapshot(replay([whole]));
    expect(fromPieces).toEqual(fromWhole);
  });

  it('a truncated, extended or foreign stream is refused with RAFT_KV_FORMAT and the old state stays', async () => {
    const whole = concat(await collect(populated().snapshot()));
    const machine = populated();
    const before = observe(machine);
    for (const bad of [
      whole.slice(0, whole.length - 1),
      whole.slice(0, 100),
      concat([whole, new Uint8Array([0])]),
      new Uint8Array([1, 2, 3, 4, 5]),
    ]) {
      await expect(machine.restore(replay([bad]))).rejects.toMatchObject({ code: 'RAFT_KV_FORMAT' });
    }
    expect(observe(machine)).toEqual(before);
    await expect(decodeKvSnapshot(replay([]))).rejects.toBeInstanceOf(KvFormatError);
  });

  it('an empty store round-trips', async () => {
    const restored = new KvStateMachine();
    await restored.restore(
      encodeKvSnapshot({ values: new Map(), dedup: new Map(), members: new Map(), newestStamp: 0 }),
    );
    expect(restored.size).toBe(0);
  });
});
