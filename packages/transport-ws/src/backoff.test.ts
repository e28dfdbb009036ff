import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const options = { initialDelayMs: 100, maxDelayMs: 5_000, jitter: 0.2 };

describe('reconnection backoff', () => {
  it('doubles from initialDelayMs and stops at maxDelayMs', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 6, 100].map((attempt) => backoffDelay(attempt, options, noJitter))).toEqual([
      100, 200, 400, 800, 5_000, 5_000,
    ]);
  });

  it('jitter takes off at most the jitter fraction', () => {
    expect(backoffDelay(0, options, () => 0.999_999)).toBeGreaterThan(80);
    expect(backoffDelay(10, options, () => 0.5)).toBe(4_500);
  });
});
