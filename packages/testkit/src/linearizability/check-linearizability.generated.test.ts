import { describe, expect, it } from 'vitest';
import { checkLinearizability } from './check-linearizability.js';
import type { HistoryOperation } from './history-operation.js';
import { randomKvHistory, seededRandom } from './random-kv-history.js';

const baseSeed = Number(process.env['LINEARIZABILITY_SEED'] ?? Date.now() % 2 ** 31);
const seeds = Array.from({ length: 12 }, (_, index) => baseSeed + index);
console.log(
  `generated-history seeds: ${seeds[0]}..${seeds.at(-1)} (replay with LINEARIZABILITY_SEED=${baseSeed})`,
);

/** Writes that certainly changed the state when they completed (so they overwrite what came before). */
function isCompletedOverwrite(entry: HistoryOperation): boolean {
  const output = entry.output;
  return (
    output !== undefined &&
    (output.kind === 'put' ||
      (output.kind === 'delete' && output.existed) ||
      (output.kind === 'cas' && output.ok))
  );
}

describe('checkLinearizability on histories of a correct store', () => {
  it.each(seeds)('accepts every history a linearizable store produces (seed %i)', (seed) => {
    const history = randomKvHistory({
      seed,
      clients: 10,
      operations: 600,
      keys: 4,
      values: 3,
      unknownRate: 0.05,
    });
    const result = checkLinearizability(history, { timeBudgetMs: 5_000 });
    expect(result, `seed ${seed}`).toEqual({ ok: true, operations: 600, keys: 4 });
  });

  it.each(seeds)('rejects the history once one read reports a value nobody wrote (seed %i)', (seed) => {
    const history = randomKvHistory({
      seed,
      clients: 10,
      operations: 600,
      keys: 4,
      values: 3,
      unknownRate: 0.05,
    });
    const random = seededRandom(seed);
    const reads = history.filter((entry) => entry.output?.kind === 'get');
    const victim = reads[Math.floor(random() * reads.length)]!;
    const corrupted = history.map((entry) =>
      entry === victim ? { ...entry, output: { kind: 'get' as const, value: 'corrupted' } } : entry,
    );
    const result = checkLinearizability(corrupted, { timeBudgetMs: 5_000 });
    if (result.ok !== false)
      throw new Error(`seed ${seed}: expected a violation, got ${JSON.stringify(result)}`);
    expect(result.key).toBe(victim.op.key);
    expect(result.operations.map((entry) => entry.id)).toContain(victim.id);
    expect(result.explanation).toContain('"corrupted", a value no operation wrote');
  });

  it.each(seeds)(
    'rejects the history once one read returns a value already overwritten (seed %i)',
    (seed) => {
      // Every write has its own value, so a read of a value overwritten before it began has no explanation.
      const history = randomKvHistory({ seed, clients: 10, operations: 600, keys: 4, values: 'unique' });
      const completedWrites = history.filter(isCompletedOverwrite);
      const stale = history.flatMap((read) => {
        if (read.output?.kind !== 'get') return [];
        const older = completedWrites.find(
          (write) =>
            write.op.key === read.op.key &&
            write.op.kind === 'put' &&
            completedWrites.some(
              (newer) =>
                newer.op.key === read.op.key &&
                newer.invokedAt > (write.completedAt ?? 0) &&
                (newer.completedAt ?? 0) < read.invokedAt,
            ),
        );
        return older?.op.kind === 'put' ? [{ read, value: older.op.value }] : [];
      });
      expect(stale.length, `seed ${seed}: no stale-read candidate`).toBeGreaterThan(0);
      const { read, value } = stale[Math.floor(seededRandom(seed)() * stale.length)]!;
      const corrupted = history.map((entry) =>
        entry === read ? { ...entry, output: { kind: 'get' as const, value } } : entry,
      );
      const result = checkLinearizability(corrupted, { timeBudgetMs: 5_000 });
      if (result.ok !== false)
        throw new Error(`seed ${seed}: expected a violation, got ${JSON.stringify(result)}`);
      expect(result.key).toBe(read.op.key);
      expect(result.operations.map((entry) => entry.id)).toContain(read.id);
    },
  );
});
