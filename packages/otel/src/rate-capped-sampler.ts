import { StrideSampler } from './stride-sampler.js';

/** Length of the windows over which the rate is measured and capped, in the node's clock's ms. */
const WINDOW_MS = 100;

/**
 * Picks a `ratio` share of calls (evenly, as {@link StrideSampler} does), but never much more than
 * `maxPerSecond` picks per second of event time: a quiet node has every call picked, a loaded one a
 * thin, even share, so the cost stays bounded however fast calls come. The rate is measured over
 * windows of 100 ms of the callers' timestamps (`now`, the node's clock, so virtual time in tests):
 * each window picks with the share that would have kept the previous window under the cap, and stops
 * picking if it reaches twice its cap (the first window of a sudden burst). Deterministic.
 */
export class RateCappedSampler {
  private readonly perWindow: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  /** Calls that passed the ratio in the current window, picked or not. */
  private candidates = 0;
  private picked = 0;
  private thinning: StrideSampler | undefined;
  private readonly ratioSampler: StrideSampler;

  constructor(ratio: number, maxPerSecond: number) {
    this.ratioSampler = new StrideSampler(ratio);
    this.perWindow = (maxPerSecond * WINDOW_MS) / 1000;
  }

  /** True when the call at time `now` (ms) should be picked. */
  sample(now: number): boolean {
    if (!this.ratioSampler.sample()) return false;
    if (this.perWindow === Number.POSITIVE_INFINITY) return true;
    if (now >= this.windowStart + WINDOW_MS) this.nextWindow(now);
    this.candidates++;
    if (this.picked >= 2 * this.perWindow) return false;
    if (this.thinning !== undefined && !this.thinning.sample()) return false;
    this.picked++;
    return true;
  }

  private nextWindow(now: number): void {
    // The next window follows on; after a quiet spell (no call for a whole window) the rate was 0, so
    // the new window starts now and picks everything.
    const followsOn = now < this.windowStart + 2 * WINDOW_MS;
    const previous = followsOn ? this.candidates : 0;
    this.thinning = previous > this.perWindow ? new StrideSampler(this.perWindow / previous) : undefined;
    this.windowStart = followsOn ? this.windowStart + WINDOW_MS : now;
    this.candidates = 0;
    this.picked = 0;
  }
}
