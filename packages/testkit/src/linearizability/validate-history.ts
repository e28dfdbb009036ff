import { HistoryError } from './history-error.js';
import type { HistoryOperation } from './history-operation.js';

/**
 * Rejects histories the checker cannot interpret, so that a recording bug is reported as such instead of
 * as a linearizability violation.
 *
 * @throws {HistoryError} `TESTKIT_HISTORY_INVALID` naming the first offending operation.
 */
export function validateHistory(history: readonly HistoryOperation[]): void {
  const seen = new Set<number>();
  for (const entry of history) {
    const fail = (why: string): never => {
      throw new HistoryError('TESTKIT_HISTORY_INVALID', `operation #${entry.id}: ${why}`);
    };
    if (seen.has(entry.id)) fail('duplicate id');
    seen.add(entry.id);
    if (!Number.isFinite(entry.invokedAt)) fail('invokedAt is not a finite number');
    if (entry.completedAt === undefined) {
      if (entry.output !== undefined) fail('output given without completedAt');
      continue;
    }
    if (entry.output === undefined) fail('completedAt given without output');
    if (!Number.isFinite(entry.completedAt)) fail('completedAt is not a finite number');
    if (entry.completedAt < entry.invokedAt) fail('completed before it was invoked');
    if (entry.output?.kind !== entry.op.kind) {
      fail(`a ${entry.op.kind} answered with a ${String(entry.output?.kind)} output`);
    }
  }
}
