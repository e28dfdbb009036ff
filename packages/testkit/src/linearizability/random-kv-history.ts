import type { HistoryOperation } from './history-operation.js';
import type { KvOperation, KvOutput } from './kv-operation.js';

/** Shape of a generated history. */
export interface RandomKvHistoryOptions {
  readonly seed: number;
  readonly clients: number;
  readonly operations: number;
  readonly keys: number;
  /** Size of each key's value pool; `'unique'` gives every write its own value. */
  readonly values: number | 'unique';
  /** Share of operations whose outcome the client never learns (default 0). */
  readonly unknownRate?: number;
}

/**
 * Test support, not part of the public API: a history of a correct (linearizable) store. Each client runs
 * one operation at a time; every operation takes effect at a random instant inside its interval, and the
 * answers come from applying them to a map in that order. An unknown-outcome write takes effect with
 * probability one half, possibly long after its client gave up on it.
 */
export function randomKvHistory(options: RandomKvHistoryOptions): HistoryOperation[] {
  const random = seededRandom(options.seed);
  const pick = (count: number): number => Math.floor(random() * count);
  const unknownRate = options.unknownRate ?? 0;
  const written = new Map<string, string[]>();
  const planned: {
    id: number;
    client: number;
    op: KvOperation;
    invokedAt: number;
    effectAt: number;
    completedAt: number;
    unknown: boolean;
    applies: boolean;
  }[] = [];
  const clientTime = Array.from({ length: options.clients }, () => pick(5));
  for (let id = 0; id < options.operations; id++) {
    const client = id % options.clients;
    const key = `k${pick(options.keys)}`;
    const history = written.get(key) ?? [];
    written.set(key, history);
    const freshValue = (): string => {
      const value = options.values === 'unique' ? `v${id}` : `v${pick(options.values)}`;
      history.push(value);
      return value;
    };
    const roll = random();
    let op: KvOperation;
    if (roll < 0.45) op = { kind: 'get', key };
    else if (roll < 0.75) op = { kind: 'put', key, value: freshValue() };
    else if (roll < 0.85) op = { kind: 'delete', key };
    else {
      const expected = history.length === 0 || random() < 0.2 ? null : history[pick(history.length)]!;
      op = { kind: 'cas', key, expected, value: freshValue() };
    }
    const invokedAt = clientTime[client]! + 1 + pick(3);
    const unknown = random() < unknownRate;
    const span = 1 + pick(20);
    const completedAt = invokedAt + span;
    // An unknown outcome may take effect long after the client timed out.
    const effectAt = invokedAt + random() * (unknown ? span * 4 : span);
    clientTime[client] = completedAt;
    planned.push({
      id,
      client,
      op,
      invokedAt,
      effectAt,
      completedAt,
      unknown,
      applies: !unknown || random() < 0.5,
    });
  }

  const store = new Map<string, string>();
  const outputs = new Map<number, KvOutput>();
  for (const entry of [...planned].sort((a, b) => a.effectAt - b.effectAt)) {
    if (!entry.applies) continue;
    const { op } = entry;
    const current = store.get(op.key) ?? null;
    switch (op.kind) {
      case 'get':
        outputs.set(entry.id, { kind: 'get', value: current });
        break;
      case 'put':
        store.set(op.key, op.value);
        outputs.set(entry.id, { kind: 'put' });
        break;
      case 'delete':
        store.delete(op.key);
        outputs.set(entry.id, { kind: 'delete', existed: current !== null });
        break;
      case 'cas':
        if (current === op.expected) store.set(op.key, op.value);
        outputs.set(entry.id, { kind: 'cas', ok: current === op.expected });
        break;
    }
  }
  return planned.map(({ id, client, op, invokedAt, completedAt, unknown }) =>
    unknown
      ? { id, client, op, invokedAt, completedAt: undefined, output: undefined }
      : { id, client, op, invokedAt, completedAt, output: outputs.get(id)! },
  );
}

/** mulberry32: a small seeded generator, enough for test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
