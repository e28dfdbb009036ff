import type { KvOperation, KvOutput } from './kv-operation.js';

/** One operation of a client history, as seen by the client. */
export interface HistoryOperation {
  /** Unique within the history. */
  readonly id: number;
  readonly client: number;
  readonly op: KvOperation;
  /** Time the client sent it. */
  readonly invokedAt: number;
  /**
   * Time the client got the answer; undefined when the outcome is unknown (timeout, crash): it may or may
   * not have taken effect, at any time after invokedAt.
   */
  readonly completedAt: number | undefined;
  /** undefined iff completedAt is undefined. */
  readonly output: KvOutput | undefined;
}

/**
 * Verdict of {@link checkLinearizability}. On failure, `operations` is a small set of the key's operations
 * that shows the problem and `explanation` says in words what no order can explain.
 */
export type LinearizabilityResult =
  | { readonly ok: true; readonly operations: number; readonly keys: number }
  | {
      readonly ok: false;
      readonly key: string;
      readonly operations: readonly HistoryOperation[];
      readonly explanation: string;
    }
  | { readonly ok: 'unknown'; readonly reason: string };

/** Limits of {@link checkLinearizability}; the search is exponential in the worst case. */
export interface LinearizabilityOptions {
  /** Give up on a key (result `unknown`) after memoising this many search states. Default 1,000,000. */
  readonly maxStatesPerKey?: number;
  /** Give up (result `unknown`) after this much wall-clock time for the whole history. Default 60,000. */
  readonly timeBudgetMs?: number;
}
