/**
 * The AppendEntries messages in flight to one follower, as the last index each carried. Bounded so a
 * slow follower cannot make the leader buffer without limit (flow control, like etcd's inflights).
 */
export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Array<number>(capacity).fill(0);
  }

  get size(): number {
    return this.count;
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  /** Record a message whose last entry is `lastIndex`. Indices must be added in increasing order. */
  add(lastIndex: number): void {
    if (this.full()) throw new Error('inflights: add on a full window');
    this.buffer[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Forget every message whose last index is at or below `index` (the follower acknowledged them). */
  freeUpTo(index: number): void {
    while (this.count > 0 && this.buffer[this.start]! <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
