/**
 * Picks a `ratio` share of calls, evenly and deterministically: it adds `ratio` per call and samples
 * each time the sum crosses a whole number (ratio 0.25 samples calls 4, 8, 12, ...). No randomness, so
 * tests are repeatable and the cost is one addition; the SDK's own sampler still decides afterwards.
 */
export class StrideSampler {
  private credit = 0;

  constructor(private readonly ratio: number) {}

  /** True when this call should get a span. */
  sample(): boolean {
    if (this.ratio >= 1) return true;
    if (this.ratio <= 0) return false;
    this.credit += this.ratio;
    // The epsilon absorbs binary rounding (ten additions of 0.1 make 0.9999999999999999).
    if (this.credit < 1 - 1e-9) return false;
    this.credit -= 1;
    return true;
  }
}
