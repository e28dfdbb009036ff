import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockClientError } from './lock-client-error.js';
import { keepSessionAlive } from './session-keeper.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('keepSessionAlive', () => {
  it('sends a keepalive every third of the TTL and keeps the lease while they succeed', async () => {
    const beats: number[] = [];
    const keeper = keepSessionAlive(
      async () => {
        beats.push(performance.now());
      },
      900,
      performance.now(),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    expect(beats.length).toBeGreaterThanOrEqual(9);
    expect(beats[0]).toBe(300);
    expect(keeper.signal.aborted).toBe(false);
    expect(keeper.remainingMs()).toBeGreaterThan(500);
    keeper.stop();
  });

  it('the lease is lost (RAFT_LOCK_LOST) once the TTL after the last successful keepalive SENT passes', async () => {
    let fail = false;
    const keeper = keepSessionAlive(
      async () => {
        if (fail) throw new LockClientError('RAFT_LOCK_UNAVAILABLE', 'down');
      },
      900,
      performance.now(),
    );
    await vi.advanceTimersByTimeAsync(650); // beats at 300 and 600 succeeded: valid until 1500
    fail = true;
    await vi.advanceTimersByTimeAsync(840);
    expect(keeper.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(keeper.signal.aborted).toBe(true);
    expect(keeper.signal.reason).toMatchObject({ code: 'RAFT_LOCK_LOST' });
    expect(keeper.remainingMs()).toBe(0);
  });

  it('the lease is lost at once when the server says the session is gone', async () => {
    const keeper = keepSessionAlive(
      async () => {
        throw new LockClientError('RAFT_LOCK_SESSION_NOT_FOUND', 'gone', 404, 'session_not_found');
      },
      900,
      performance.now(),
    );
    await vi.advanceTimersByTimeAsync(301);
    expect(keeper.signal.aborted).toBe(true);
    expect((keeper.signal.reason as LockClientError).cause).toMatchObject({
      code: 'RAFT_LOCK_SESSION_NOT_FOUND',
    });
  });

  it('stop() ends the keepalives and never reports a loss afterwards', async () => {
    let beats = 0;
    const keeper = keepSessionAlive(
      async () => {
        beats++;
      },
      900,
      performance.now(),
    );
    keeper.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(beats).toBe(0);
    expect(keeper.signal.aborted).toBe(false);
  });
});
