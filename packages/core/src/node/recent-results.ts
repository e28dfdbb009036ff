/** What this node applied at one index: the entry's term and, for application entries, the result. */
export interface AppliedRecord<Result> {
  readonly term: number;
  readonly hasResult: boolean;
  readonly result: Result | undefined;
}

/**
 * The last few applied entries, kept only while some proposal still waits for its outcome. A
 * forwarded proposal's ProposeResponse can arrive after the entry it names was committed and applied
 * (the network reorders), and the result must still reach the caller. Bounded so a flood of late
 * outcomes cannot pin memory.
 */
export class RecentResults<Result> {
  private readonly records = new Map<number, AppliedRecord<Result>>();

  constructor(private readonly capacity: number) {}

  add(index: number, record: AppliedRecord<Result>): void {
    this.records.set(index, record);
    if (this.records.size > this.capacity) {
      // Indices are applied in increasing order, so the first key is the oldest.
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
  }

  get(index: number): AppliedRecord<Result> | undefined {
    return this.records.get(index);
  }

  clear(): void {
    this.records.clear();
  }
}
