import { describe, expect, it } from 'vitest';
import { checkLinearizability } from './check-linearizability.js';
import { HistoryError } from './history-error.js';
import type { HistoryOperation } from './history-operation.js';
import type { KvOperation, KvOutput } from './kv-operation.js';

let nextId = 0;
/** A completed operation: `[invokedAt, completedAt]` and the store's answer. */
function done(
  client: number,
  op: KvOperation,
  invokedAt: number,
  completedAt: number,
  output: KvOutput,
): HistoryOperation {
  return { id: nextId++, client, op, invokedAt, completedAt, output };
}
/** An operation whose outcome the client never learned. */
function lost(client: number, op: KvOperation, invokedAt: number): HistoryOperation {
  return { id: nextId++, client, op, invokedAt, completedAt: undefined, output: undefined };
}
const get = (key: string): KvOperation => ({ kind: 'get', key });
const put = (key: string, value: string): KvOperation => ({ kind: 'put', key, value });
const del = (key: string): KvOperation => ({ kind: 'delete', key });
const cas = (key: string, expected: string | null, value: string): KvOperation => ({
  kind: 'cas',
  key,
  expected,
  value,
});
const saw = (value: string | null): KvOutput => ({ kind: 'get', value });
const wrote: KvOutput = { kind: 'put' };
const deleted = (existed: boolean): KvOutput => ({ kind: 'delete', existed });
const swapped = (ok: boolean): KvOutput => ({ kind: 'cas', ok });

function expectViolation(history: HistoryOperation[], culprit: HistoryOperation) {
  const result = checkLinearizability(history);
  if (result.ok !== false) throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  expect(result.key).toBe(culprit.op.key);
  expect(result.operations.map((entry) => entry.id)).toContain(culprit.id);
  expect(result.explanation).toContain(`#${culprit.id} `);
  return result;
}

describe('checkLinearizability: reads and writes', () => {
  it('accepts the empty history', () => {
    expect(checkLinearizability([])).toEqual({ ok: true, operations: 0, keys: 0 });
  });

  it('a key starts absent: a first read seeing a value is a violation, seeing absent is not', () => {
    expect(checkLinearizability([done(0, get('x'), 0, 1, saw(null))]).ok).toBe(true);
    const read = done(0, get('x'), 0, 1, saw('a'));
    const result = expectViolation([read], read);
    expect(result.explanation).toContain('no operation wrote');
  });

  it('rejects a stale read: a read invoked after a write completed must not see the older value', () => {
    const first = done(0, put('x', 'a'), 0, 1, wrote);
    const second = done(0, put('x', 'b'), 2, 3, wrote);
    const stale = done(1, get('x'), 4, 5, saw('a'));
    const result = expectViolation([first, second, stale], stale);
    expect(result.operations.map((entry) => entry.id)).toContain(second.id);
    expect(result.explanation).toContain('latest writes that completed before');
  });

  it('rejects a read of a value never written', () => {
    const write = done(0, put('x', 'a'), 0, 1, wrote);
    const read = done(1, get('x'), 2, 3, saw('zzz'));
    expectViolation([write, read], read);
  });

  it('rejects a read of a value whose only write was invoked after the read completed', () => {
    const read = done(1, get('x'), 0, 1, saw('a'));
    const write = done(0, put('x', 'a'), 2, 3, wrote);
    const result = expectViolation([read, write], read);
    expect(result.explanation).toContain('only written after it completed');
  });

  it('accepts concurrent writes with reads that can be ordered between them', () => {
    const history = [
      done(0, put('x', 'a'), 0, 10, wrote),
      done(1, put('x', 'b'), 0, 10, wrote),
      done(2, get('x'), 1, 2, saw('b')),
      done(3, get('x'), 3, 4, saw('a')),
      done(2, get('x'), 11, 12, saw('a')),
    ];
    expect(checkLinearizability(history)).toEqual({ ok: true, operations: 5, keys: 1 });
  });

  it('rejects reads of concurrent writes that need two different orders (new-old inversion)', () => {
    const history = [
      done(0, put('x', 'a'), 0, 10, wrote),
      done(1, put('x', 'b'), 0, 10, wrote),
      done(2, get('x'), 1, 2, saw('a')),
      done(2, get('x'), 3, 4, saw('b')),
      done(3, get('x'), 5, 6, saw('a')),
    ];
    const result = expectViolation(history, history[4]!);
    // Both earlier reads are needed to show it; the report keeps them.
    expect(result.operations.map((entry) => entry.id)).toEqual(
      expect.arrayContaining([history[2]!.id, history[3]!.id]),
    );
  });

  it('treats intervals that only touch as concurrent (a read may see a write completing as it starts)', () => {
    const touching = [
      done(0, put('x', 'a'), 0, 1, wrote),
      done(0, put('x', 'b'), 2, 5, wrote),
      done(1, get('x'), 5, 7, saw('a')),
    ];
    expect(checkLinearizability(touching).ok).toBe(true);
    const after = [
      done(0, put('x', 'a'), 0, 1, wrote),
      done(0, put('x', 'b'), 2, 5, wrote),
      done(1, get('x'), 6, 7, saw('a')),
    ];
    expect(checkLinearizability(after).ok).toBe(false);
  });

  it('checks each key on its own and reports the failing key', () => {
    const history = [
      done(0, put('x', 'a'), 0, 1, wrote),
      done(0, put('y', 'a'), 0, 1, wrote),
      done(1, get('x'), 2, 3, saw('a')),
      done(1, get('y'), 2, 3, saw(null)),
    ];
    const result = expectViolation(history, history[3]!);
    expect(result.operations.every((entry) => entry.op.key === 'y')).toBe(true);
    expect(checkLinearizability(history.slice(0, 3))).toEqual({ ok: true, operations: 3, keys: 2 });
  });
});

describe('checkLinearizability: compare-and-set', () => {
  it('rejects a lost update: two cas from the same value cannot both succeed', () => {
    const history = [
      done(0, put('n', '0'), 0, 1, wrote),
      done(1, cas('n', '0', '1'), 2, 5, swapped(true)),
      done(2, cas('n', '0', '1'), 3, 6, swapped(true)),
    ];
    expect(checkLinearizability(history).ok).toBe(false);
  });

  it('accepts competing cas where exactly one wins and a read sees the winner', () => {
    const history = [
      done(0, put('n', '0'), 0, 1, wrote),
      done(1, cas('n', '0', 'one'), 2, 5, swapped(false)),
      done(2, cas('n', '0', 'two'), 3, 6, swapped(true)),
      done(0, get('n'), 7, 8, saw('two')),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
  });

  it('rejects a failed cas when the value it expected was certainly there', () => {
    const history = [done(0, put('n', '0'), 0, 1, wrote), done(1, cas('n', '0', '1'), 2, 3, swapped(false))];
    expectViolation(history, history[1]!);
  });

  it('expected null means absent: cas succeeds on an absent key and fails once it exists', () => {
    const history = [
      done(0, cas('lock', null, 'owner-a'), 0, 1, swapped(true)),
      done(1, cas('lock', null, 'owner-b'), 2, 3, swapped(false)),
      done(1, get('lock'), 4, 5, saw('owner-a')),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
    const broken = [
      done(0, put('lock', 'x'), 0, 1, wrote),
      done(1, cas('lock', null, 'y'), 2, 3, swapped(true)),
    ];
    expectViolation(broken, broken[1]!);
  });
});

describe('checkLinearizability: delete', () => {
  it('a delete reports whether the key existed and leaves it absent', () => {
    const history = [
      done(0, del('x'), 0, 1, deleted(false)),
      done(0, put('x', 'a'), 2, 3, wrote),
      done(0, del('x'), 4, 5, deleted(true)),
      done(1, get('x'), 6, 7, saw(null)),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
  });

  it('rejects a delete claiming the key existed when it never did', () => {
    const history = [done(0, del('x'), 0, 1, deleted(true))];
    expectViolation(history, history[0]!);
  });

  it('rejects a read seeing a value after a delete completed', () => {
    const history = [
      done(0, put('x', 'a'), 0, 1, wrote),
      done(0, del('x'), 2, 3, deleted(true)),
      done(1, get('x'), 4, 5, saw('a')),
    ];
    expectViolation(history, history[2]!);
  });

  it('rejects a delete reporting absent right after a completed put', () => {
    const history = [done(0, put('x', 'a'), 0, 1, wrote), done(1, del('x'), 2, 3, deleted(false))];
    expectViolation(history, history[1]!);
  });
});

describe('checkLinearizability: unknown outcomes', () => {
  it('an unknown-outcome write may explain a later read, even long after its client gave up', () => {
    const history = [
      lost(0, put('x', 'a'), 0),
      done(1, get('x'), 1, 2, saw(null)),
      done(1, get('x'), 100, 101, saw('a')),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
  });

  it('an unknown-outcome write may also never take effect', () => {
    const history = [
      done(0, put('x', 'a'), 0, 1, wrote),
      lost(0, put('x', 'b'), 2),
      done(1, get('x'), 50, 51, saw('a')),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
  });

  it('an unknown-outcome write cannot explain a read that completed before the write was invoked', () => {
    const history = [done(1, get('x'), 0, 1, saw('a')), lost(0, put('x', 'a'), 2)];
    expectViolation(history, history[0]!);
  });

  it('an unknown-outcome write takes effect at most once: it cannot explain a read after an overwrite', () => {
    const history = [
      lost(0, put('x', 'a'), 0),
      done(1, get('x'), 1, 2, saw('a')),
      done(1, put('x', 'b'), 3, 4, wrote),
      done(1, get('x'), 5, 6, saw('a')),
    ];
    expectViolation(history, history[3]!);
  });

  it('an unknown-outcome cas or delete may or may not have applied', () => {
    const history = [
      done(0, put('x', 'a'), 0, 1, wrote),
      lost(1, cas('x', 'a', 'b'), 2),
      lost(2, del('x'), 2),
      done(3, get('x'), 10, 11, saw('b')),
      done(3, get('x'), 12, 13, saw(null)),
    ];
    expect(checkLinearizability(history).ok).toBe(true);
  });

  it('ignores a get whose outcome is unknown', () => {
    expect(checkLinearizability([lost(0, get('x'), 0)])).toEqual({ ok: true, operations: 1, keys: 1 });
  });
});

describe('checkLinearizability: input and budgets', () => {
  it('rejects malformed histories with TESTKIT_HISTORY_INVALID', () => {
    const bad: HistoryOperation[][] = [
      [{ id: 1, client: 0, op: get('x'), invokedAt: 0, completedAt: 1, output: undefined }],
      [{ id: 1, client: 0, op: get('x'), invokedAt: 0, completedAt: undefined, output: saw(null) }],
      [{ id: 1, client: 0, op: get('x'), invokedAt: 5, completedAt: 1, output: saw(null) }],
      [{ id: 1, client: 0, op: get('x'), invokedAt: 0, completedAt: 1, output: wrote }],
      [
        { id: 1, client: 0, op: get('x'), invokedAt: 0, completedAt: 1, output: saw(null) },
        { id: 1, client: 1, op: get('x'), invokedAt: 0, completedAt: 1, output: saw(null) },
      ],
    ];
    for (const history of bad) {
      expect(() => checkLinearizability(history)).toThrow(HistoryError);
      try {
        checkLinearizability(history);
      } catch (error) {
        expect((error as HistoryError).code).toBe('TESTKIT_HISTORY_INVALID');
      }
    }
  });

  it("returns 'unknown' rather than a verdict when the state budget runs out", () => {
    // Many overlapping writes of distinct values and an unexplainable read force a wide search.
    const history: HistoryOperation[] = [];
    for (let client = 0; client < 12; client++)
      history.push(done(client, put('x', `v${client}`), 0, 100, wrote));
    history.push(done(12, get('x'), 101, 102, saw('never')));
    const result = checkLinearizability(history, { maxStatesPerKey: 50 });
    expect(result.ok).toBe('unknown');
    if (result.ok === 'unknown') expect(result.reason).toContain('50 states');
  });
});
