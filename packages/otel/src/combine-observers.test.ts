import type { RaftEvent } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { combineObservers } from './combine-observers.js';

describe('combineObservers', () => {
  it('forwards each event to every observer in order and skips undefined ones', () => {
    const seen: string[] = [];
    const combined = combineObservers(
      (event) => seen.push(`first ${event.type}`),
      undefined,
      (event) => seen.push(`second ${event.type}`),
    );
    const event: RaftEvent = { type: 'committed', index: 3 };
    combined(event);
    expect(seen).toEqual(['first committed', 'second committed']);
  });
});
