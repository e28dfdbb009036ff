import { describe, expect, it } from 'vitest';
import { VirtualClock } from './node-harness.test-support.js';
import { ReadTracker } from './read-tracker.js';

const NO_TIMEOUT = Number.POSITIVE_INFINITY;

describe('ReadTracker', () => {
  it('serves a read only once the applied index reaches its read index (thesis §6.4)', async () => {
    const clock = new VirtualClock();
    const tracker = new ReadTracker(undefined);
    let served = false;
    const promise = tracker.open(1, clock, NO_TIMEOUT, undefined).then(() => {
      served = true;
    });
    tracker.onReadState({ requestId: 1, index: 6 }, 4);
    tracker.onApplied(5);
    await clock.advance(0);
    expect(served).toBe(false);
    tracker.onApplied(6);
    await promise;
    expect(served).toBe(true);
  });

  it('serves at once when the read index is already applied, and maps failures onto typed errors', async () => {
    const clock = new VirtualClock();
    const tracker = new ReadTracker(undefined);
    const ready = tracker.open(1, clock, NO_TIMEOUT, undefined);
    const refused = tracker.open(2, clock, NO_TIMEOUT, undefined);
    tracker.onReadState({ requestId: 1, index: 3 }, 3);
    tracker.onFailure({ requestId: 2, reason: 'not-leader', leaderHint: 'c' });
    await expect(ready).resolves.toBeUndefined();
    await expect(refused).rejects.toMatchObject({ code: 'RAFT_NOT_LEADER', leaderHint: 'c' });
  });
});
