import { describe, expect, it } from 'vitest';
import { RateCappedSampler } from './rate-capped-sampler.js';

/** How many of `calls` calls spread evenly over [from, from + spanMs) the sampler picks. */
function picksOver(sampler: RateCappedSampler, from: number, spanMs: number, calls: number): number {
  let picked = 0;
  for (let i = 0; i < calls; i++) if (sampler.sample(from + (i * spanMs) / calls)) picked++;
  return picked;
}

describe('RateCappedSampler', () => {
  it('under the cap picks every call (ratio 1)', () => {
    const sampler = new RateCappedSampler(1, 1_000);
    expect(picksOver(sampler, 0, 1_000, 900)).toBe(900);
  });

  it('under load picks about maxPerSecond per second, evenly', () => {
    const sampler = new RateCappedSampler(1, 1_000);
    picksOver(sampler, 0, 1_000, 100_000); // a first second to learn the rate
    const picked = picksOver(sampler, 1_000, 1_000, 100_000);
    expect(picked).toBeGreaterThanOrEqual(990);
    expect(picked).toBeLessThanOrEqual(1_010);
  });

  it('bounds the first window of a sudden burst to twice its share', () => {
    const sampler = new RateCappedSampler(1, 1_000);
    // 100 ms window, cap 100 per window: a burst of 50,000 in one window picks at most 200.
    expect(picksOver(sampler, 0, 100, 50_000)).toBe(200);
  });

  it('picks everything again after the load stops', () => {
    const sampler = new RateCappedSampler(1, 1_000);
    picksOver(sampler, 0, 1_000, 100_000);
    expect(picksOver(sampler, 5_000, 1_000, 500)).toBe(500);
  });

  it('applies the ratio first and the cap to what the ratio passed', () => {
    expect(picksOver(new RateCappedSampler(0.25, 1_000), 0, 1_000, 400)).toBe(100);
    const capped = new RateCappedSampler(0.5, 1_000);
    picksOver(capped, 0, 1_000, 100_000);
    expect(picksOver(capped, 1_000, 1_000, 100_000)).toBeLessThanOrEqual(1_010);
  });

  it('an infinite cap is the ratio alone', () => {
    expect(picksOver(new RateCappedSampler(1, Number.POSITIVE_INFINITY), 0, 100, 50_000)).toBe(50_000);
  });
});
