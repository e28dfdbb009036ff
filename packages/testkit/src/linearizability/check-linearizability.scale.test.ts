import { describe, expect, it } from 'vitest';
import { checkLinearizability } from './check-linearizability.js';
import { randomKvHistory } from './random-kv-history.js';

const SEED = Number(process.env['LINEARIZABILITY_SEED'] ?? 20_240_601);

describe('checkLinearizability at scale', () => {
  // Budget from the brief: 10,000 operations over 100 keys with about 10 concurrent clients in a few seconds.
  it('checks a 10,000-operation, 100-key, 10-client history in a few seconds', { timeout: 60_000 }, () => {
    const history = randomKvHistory({
      seed: SEED,
      clients: 10,
      operations: 10_000,
      keys: 100,
      values: 4,
      unknownRate: 0.03,
    });
    const started = Date.now();
    const result = checkLinearizability(history, { timeBudgetMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`seed ${SEED}: 10,000 operations on 100 keys checked in ${elapsed} ms`);
    expect(result).toEqual({ ok: true, operations: 10_000, keys: 100 });
    expect(elapsed).toBeLessThan(5_000);
  });

  it('finds and explains one stale read among 10,000 operations in a few seconds', {
    timeout: 60_000,
  }, () => {
    const history = randomKvHistory({
      seed: SEED,
      clients: 10,
      operations: 10_000,
      keys: 100,
      values: 'unique',
    });
    // The last read of some key that saw a value is made to see the key's first value instead.
    const victimIndex = history.findIndex(
      (entry, index) => index > 9_000 && entry.output?.kind === 'get' && entry.output.value !== null,
    );
    const victim = history[victimIndex]!;
    const firstWrite = history.find((entry) => entry.op.key === victim.op.key && entry.op.kind === 'put');
    if (firstWrite?.op.kind !== 'put') throw new Error(`seed ${SEED}: no put on ${victim.op.key}`);
    const staleValue = firstWrite.op.value;
    const corrupted = history.map((entry) =>
      entry === victim ? { ...entry, output: { kind: 'get' as const, value: staleValue } } : entry,
    );
    const started = Date.now();
    const result = checkLinearizability(corrupted, { timeBudgetMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`seed ${SEED}: violation among 10,000 operations found and explained in ${elapsed} ms`);
    if (result.ok !== false)
      throw new Error(`seed ${SEED}: expected a violation, got ${JSON.stringify(result)}`);
    console.log(result.explanation);
    expect(result.key).toBe(victim.op.key);
    expect(result.operations.map((entry) => entry.id)).toContain(victim.id);
    expect(result.operations.length).toBeLessThanOrEqual(16);
    expect(elapsed).toBeLessThan(5_000);
  });
});
