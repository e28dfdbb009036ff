/**
 * The term of every log entry, kept in memory as runs of equal terms: `term(i)` answers without a
 * disk read, and the memory is one pair per term change, not per entry (terms change rarely).
 */
export class TermRuns {
  /** `starts[k]` is the first index of run k; runs cover [starts[k], starts[k + 1]). */
  private readonly starts: number[] = [];
  private readonly terms: number[] = [];

  /** Records that the entry at `index` (the next index after the last one recorded) has `term`. */
  append(index: number, term: number): void {
    if (this.terms.at(-1) !== term) {
      this.starts.push(index);
      this.terms.push(term);
    }
  }

  /** Forgets every entry at or above `index`. */
  truncateFrom(index: number): void {
    let runs = this.starts.length;
    while (runs > 0 && this.starts[runs - 1]! >= index) runs--;
    this.starts.length = runs;
    this.terms.length = runs;
  }

  /** Forgets the runs that end before `index` (compaction); the run holding `index` stays. */
  dropBefore(index: number): void {
    let drop = 0;
    while (drop + 1 < this.starts.length && this.starts[drop + 1]! <= index) drop++;
    this.starts.splice(0, drop);
    this.terms.splice(0, drop);
  }

  /** The term recorded for `index`; the caller checks that `index` is inside the log. */
  termAt(index: number): number | undefined {
    let low = 0;
    let high = this.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.starts[middle]! <= index) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? undefined : this.terms[found];
  }

  /** Number of runs held (for tests of the memory bound). */
  get runCount(): number {
    return this.starts.length;
  }
}
