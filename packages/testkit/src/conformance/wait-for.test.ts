import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves as soon as the condition holds, checking before any wait', async () => {
    let checks = 0;
    await waitFor(() => {
      checks++;
      return true;
    });
    expect(checks).toBe(1);
  });

  it('keeps checking until an async condition becomes true', async () => {
    let checks = 0;
    await waitFor(async () => ++checks === 3, { timeoutMs: 1_000, intervalMs: 1 });
    expect(checks).toBe(3);
  });

  it('rejects with RAFT_WAIT_FOR_TIMEOUT when the condition is still false at the deadline', async () => {
    const started = Date.now();
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toMatchObject({
      code: 'RAFT_WAIT_FOR_TIMEOUT',
      timeoutMs: 30,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('lets an error thrown by the condition propagate', async () => {
    const failure = new Error('broken condition');
    await expect(
      waitFor(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});
