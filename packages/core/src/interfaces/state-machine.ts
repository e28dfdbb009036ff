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
 *
 * Implement `snapshot` and `restore` (both or neither) to let the node compact its log and let
 * followers that fell far behind catch up from a snapshot (Raft §7). Without them the log grows
 * forever and is replayed in full on every restart.
 */
export interface StateMachine<Result = unknown> {
  /**
   * Apply committed entries in order and return one result per entry (`results[i]` for `entries[i]`).
   * The result of an entry proposed on this node resolves that proposal's promise.
   */
  apply(entries: readonly CommittedEntry[]): readonly Result[] | Promise<readonly Result[]>;
  /**
   * Capture the state as of the last applied entry, NOW (synchronously, before returning), and return
   * a stream of it in chunks. The node keeps applying entries while it reads the stream, so the stream
   * must not see later changes: copy the state, or use a persistent data structure or a storage
   * snapshot. Yield chunks of a bounded size (say 64 KiB to 1 MiB) so a large state is never held in
   * one buffer; the node copies nothing and holds at most a few chunks at a time.
   */
  snapshot?(): AsyncIterable<Uint8Array>;
  /**
   * Replace the whole state with the one a `snapshot` stream produced (on this node after a restart,
   * or on another node: a follower catching up). Called only between `apply` calls, never during one.
   */
  restore?(chunks: AsyncIterable<Uint8Array>): Promise<void>;
}
