import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from './check-linearizability.js';
import type { HistoryOperation } from './history-operation.js';
import type { KvOperation, KvOutput } from './kv-operation.js';

/**
 * The definition, searched naively: some order of all completed operations and some of the unknown ones,
 * in which no operation comes after one that was invoked after it completed, and every answer is what a
 * sequential map gives. No memo, no pruning; only usable on a handful of operations.
 */
function naiveLinearizable(history: readonly HistoryOperation[]): boolean {
  const pending = history.filter((entry) => entry.completedAt !== undefined || entry.op.kind !== 'get');
  const explore = (remaining: readonly HistoryOperation[], state: ReadonlyMap<string, string>): boolean => {
    if (remaining.every((entry) => entry.completedAt === undefined)) return true;
    return remaining.some((candidate) => {
      const mustWait = remaining.some(
        (other) => other.completedAt !== undefined && other.completedAt < candidate.invokedAt,
      );
      if (mustWait) return false;
      const after = applySequentially(state, candidate);
      return (
        after !== undefined &&
        explore(
          remaining.filter((entry) => entry !== candidate),
          after,
        )
      );
    });
  };
  return explore(pending, new Map());
}

/** The sequential map's answer check and effect; undefined when the recorded answer is impossible. */
function applySequentially(
  state: ReadonlyMap<string, string>,
  entry: HistoryOperation,
): ReadonlyMap<string, string> | undefined {
  const { op, output } = entry;
  const current = state.get(op.key) ?? null;
  const next = new Map(state);
  switch (op.kind) {
    case 'get':
      return output?.kind === 'get' && output.value === current ? state : undefined;
    case 'put':
      next.set(op.key, op.value);
      return next;
    case 'delete':
      if (output?.kind === 'delete' && output.existed !== (current !== null)) return undefined;
      next.delete(op.key);
      return next;
    case 'cas': {
      const matches = current === op.expected;
      if (output?.kind === 'cas' && output.ok !== matches) return undefined;
      if (matches) next.set(op.key, op.value);
      return next;
    }
  }
}

const values = ['a', 'b', 'c'] as const;

function operationArbitrary(keys: readonly string[]): fc.Arbitrary<{ op: KvOperation; output: KvOutput }> {
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    fc.record({ key, value: fc.constantFrom(null, ...values) }).map(({ key, value }) => ({
      op: { kind: 'get' as const, key },
      output: { kind: 'get' as const, value },
    })),
    fc.record({ key, value: fc.constantFrom(...values) }).map(({ key, value }) => ({
      op: { kind: 'put' as const, key, value },
      output: { kind: 'put' as const },
    })),
    fc.record({ key, existed: fc.boolean() }).map(({ key, existed }) => ({
      op: { kind: 'delete' as const, key },
      output: { kind: 'delete' as const, existed },
    })),
    fc
      .record({
        key,
        expected: fc.constantFrom(null, ...values),
        value: fc.constantFrom(...values),
        ok: fc.boolean(),
      })
      .map(({ key, expected, value, ok }) => ({
        op: { kind: 'cas' as const, key, expected, value },
        output: { kind: 'cas' as const, ok },
      })),
  );
}

/** Random intervals and answers (mostly not linearizable); one operation in `unknownOneIn` loses its answer. */
function historyArbitrary(shape: {
  readonly keys: readonly string[];
  readonly maxLength: number;
  readonly unknownOneIn: number;
}): fc.Arbitrary<HistoryOperation[]> {
  return fc
    .array(
      fc.record({
        operation: operationArbitrary(shape.keys),
        invokedAt: fc.integer({ min: 0, max: 12 }),
        duration: fc.integer({ min: 0, max: 6 }),
        unknown: fc.integer({ min: 1, max: shape.unknownOneIn }).map((roll) => roll === 1),
      }),
      { maxLength: shape.maxLength },
    )
    .map((entries) =>
      entries.map(({ operation, invokedAt, duration, unknown }, id): HistoryOperation => {
        const base = { id, client: id, op: operation.op, invokedAt };
        return unknown
          ? { ...base, completedAt: undefined, output: undefined }
          : { ...base, completedAt: invokedAt + duration, output: operation.output };
      }),
    );
}

const baseSeed = Number(process.env['LINEARIZABILITY_SEED'] ?? Date.now() % 2 ** 31);

describe('WGL search against the naive definition', () => {
  it.each([
    { name: 'two keys, few unknown outcomes', keys: ['x', 'y'], maxLength: 7, unknownOneIn: 6, runs: 3000 },
    { name: 'one key, many unknown outcomes', keys: ['x'], maxLength: 8, unknownOneIn: 3, runs: 1500 },
  ])('agrees with a brute-force search on small random histories ($name)', ({ runs, ...shape }) => {
    const seed = baseSeed;
    console.log(`wgl-search property seed: ${seed} (replay with LINEARIZABILITY_SEED=${seed})`);
    let violations = 0;
    let linearizable = 0;
    fc.assert(
      fc.property(historyArbitrary(shape), (history) => {
        const expected = naiveLinearizable(history);
        const result = checkLinearizability(history);
        if (expected) linearizable++;
        else violations++;
        expect(result.ok).toBe(expected);
        if (result.ok === false) {
          // The report names operations of the failing key only.
          expect(result.operations.length).toBeGreaterThan(0);
          expect(result.operations.every((entry) => entry.op.key === result.key)).toBe(true);
        }
      }),
      { seed, numRuns: runs },
    );
    // The generator must exercise both verdicts for the agreement to mean anything.
    expect(violations).toBeGreaterThan(runs / 10);
    expect(linearizable).toBeGreaterThan(runs / 10);
  });
});
