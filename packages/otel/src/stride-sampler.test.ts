import { describe, expect, it } from 'vitest';
import { StrideSampler } from './stride-sampler.js';

function picks(ratio: number, calls: number): number[] {
  const sampler = new StrideSampler(ratio);
  const picked: number[] = [];
  for (let call = 1; call <= calls; call++) if (sampler.sample()) picked.push(call);
  return picked;
}

describe('StrideSampler', () => {
  it('samples exactly every 1/ratio-th call, deterministically', () => {
    expect(picks(0.25, 12)).toEqual([4, 8, 12]);
    expect(picks(0.5, 6)).toEqual([2, 4, 6]);
  });

  it('keeps the long-run share for ratios with no exact binary form (0.1 over 1,000 calls is 100)', () => {
    expect(picks(0.1, 1_000)).toHaveLength(100);
    expect(picks(0.1, 10)).toEqual([10]);
  });

  it('ratio 1 samples every call and ratio 0 none', () => {
    expect(picks(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(picks(0, 5)).toEqual([]);
  });
});
