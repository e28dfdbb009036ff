import { encodeKeyHistory } from './encode-key-history.js';
import { explainViolation } from './explain-violation.js';
import type { HistoryOperation, LinearizabilityOptions, LinearizabilityResult } from './history-operation.js';
import { validateHistory } from './validate-history.js';
import { searchLinearization } from './wgl-search.js';

const DEFAULT_MAX_STATES_PER_KEY = 1_000_000;
const DEFAULT_TIME_BUDGET_MS = 60_000;
/** Time granted to shrink and explain a violation even when the search used up the budget finding it. */
const MIN_EXPLANATION_MS = 1_000;

/**
 * Checks that a key-value store's client history is linearizable: that there is one order of the
 * operations, consistent with real time (an operation that completed before another was invoked comes
 * first), in which every answer is what a single sequential store would give. Keys start absent.
 *
 * Each key is checked on its own (linearizability is compositional) with the Wing–Gong–Lowe search.
 * Operations with an unknown outcome may take effect at any time after their invocation, or never; the
 * answer-less gets among them are ignored. Intervals that only touch (one completes at the time the other
 * is invoked) count as overlapping.
 *
 * @returns `ok: true`; or `ok: false` with the first failing key, a few of its operations and an
 *   explanation; or `ok: 'unknown'` when a budget ran out before every key was decided and none failed.
 * @throws {HistoryError} `TESTKIT_HISTORY_INVALID` when the history is malformed.
 */
export function checkLinearizability(
  history: readonly HistoryOperation[],
  options: LinearizabilityOptions = {},
): LinearizabilityResult {
  validateHistory(history);
  const maxStates = options.maxStatesPerKey ?? DEFAULT_MAX_STATES_PER_KEY;
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const deadline = Date.now() + timeBudgetMs;
  const byKey = new Map<string, HistoryOperation[]>();
  for (const entry of history) {
    const operations = byKey.get(entry.op.key);
    if (operations === undefined) byKey.set(entry.op.key, [entry]);
    else operations.push(entry);
  }

  const undecided: string[] = [];
  for (const [key, operations] of byKey) {
    if (Date.now() > deadline) {
      undecided.push(`key ${JSON.stringify(key)}: time budget of ${timeBudgetMs} ms exhausted`);
      continue;
    }
    const outcome = searchLinearization(encodeKeyHistory(operations), { maxStates, deadline });
    if (outcome.kind === 'violation') {
      const explanationDeadline = Math.max(deadline, Date.now() + MIN_EXPLANATION_MS);
      return explainViolation(key, operations, { maxStates, deadline: explanationDeadline });
    }
    if (outcome.kind === 'gave-up') undecided.push(`key ${JSON.stringify(key)}: ${outcome.reason}`);
  }
  if (undecided.length > 0) {
    const shown = undecided.slice(0, 3).join('; ');
    const more = undecided.length > 3 ? `; and ${undecided.length - 3} more keys` : '';
    return {
      ok: 'unknown',
      reason: `${undecided.length} of ${byKey.size} keys undecided, no violation found in the others (${shown}${more})`,
    };
  }
  return { ok: true, operations: history.length, keys: byKey.size };
}
