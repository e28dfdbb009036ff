/**
 * Deletions of records nothing refers to any more (entries at or below the compaction bound, chunks of
 * a snapshot replaced twice), run beside the store's queued calls instead of in front of them. They
 * are not synced and need not be: whatever a crash leaves behind is garbage that the next open
 * deletes. Deleting 10,000 compacted entries inside the compaction's synced batch held every later
 * `persist` back by 10-20 ms (see tooling/bench/README.md); outside it, a compaction costs one small
 * synced write.
 */
export class BackgroundDeletions {
  private readonly running = new Set<Promise<void>>();

  /** @param onFailure called with a failed deletion's error (a LevelDB write failed). */
  constructor(private readonly onFailure: (error: unknown) => void) {}

  /** Starts `deletion` now; its failure goes to `onFailure`, never to the caller. */
  start(deletion: () => Promise<void>): void {
    const run: Promise<void> = deletion()
      .catch((error: unknown) => this.onFailure(error))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves once every deletion started so far has finished (before LevelDB is closed). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
