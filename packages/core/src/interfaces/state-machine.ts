/** A committed entry as the state machine sees it. */
export interface CommittedEntry {
  /** Log index: unique and increasing; a good revision number. */
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

/**
 * Your application's deterministic state. Every node applies the same entries in the same order, so
 * `apply` must depend on nothing but the current state and the entries (no clocks, no randomness).
 */
export interface StateMachine<Result = unknown> {
  /**
   * Apply committed entries in order and return one result per entry (`results[i]` for `entries[i]`).
   * The result of an entry proposed on this node resolves that proposal's promise.
   */
  apply(entries: readonly CommittedEntry[]): readonly Result[] | Promise<readonly Result[]>;
}
