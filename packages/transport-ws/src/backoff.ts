import type { RandomSource } from '@raft/core';
import type { ReconnectOptions } from './options.js';

/**
 * Milliseconds to wait before reconnection attempt number `attempt` (0 for the first): exponential
 * growth from `initialDelayMs`, capped at `maxDelayMs`, with up to `jitter` of it taken off at random so
 * that nodes cut off together do not all come back in the same instant.
 */
export function backoffDelay(
  attempt: number,
  options: Required<ReconnectOptions>,
  random: RandomSource,
): number {
  const exponential = options.initialDelayMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(options.maxDelayMs, exponential);
  return capped * (1 - options.jitter * random());
}
