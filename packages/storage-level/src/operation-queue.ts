/**
 * Runs async operations one at a time, in call order. The store's in-memory bounds are checked before
 * a write and updated after it resolves; running reads and writes one by one keeps every read
 * consistent with those bounds without LevelDB snapshots. The driver issues one persist at a time
 * anyway, so nothing waits that would not have waited on the disk.
 */
export class OperationQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `operation` after every operation queued before it has settled. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Resolves once everything queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
