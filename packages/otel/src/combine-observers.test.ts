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

  it('wants proposal-started when any part wants it, asking every part, and always with a plain function among them', () => {
    let first = false;
    let askedLast = 0;
    const hinted = (wanted: () => boolean) =>
      Object.assign((_event: RaftEvent) => {}, { wantsProposalStarted: wanted });
    const both = combineObservers(
      hinted(() => first),
      hinted(() => {
        askedLast++;
        return false;
      }),
    );
    expect(both.wantsProposalStarted?.(1, 0)).toBe(false);
    first = true;
    expect(both.wantsProposalStarted?.(2, 0)).toBe(true);
    expect(askedLast).toBe(2);

    const withPlain = combineObservers(
      hinted(() => false),
      () => {},
    );
    expect(withPlain.wantsProposalStarted).toBeUndefined();
    const alone = hinted(() => false);
    expect(combineObservers(alone, undefined)).toBe(alone);
  });
});
