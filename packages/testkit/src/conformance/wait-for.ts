/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 5,000. */
  readonly timeoutMs?: number;
  /** Milliseconds between two checks. Default 5. */
  readonly intervalMs?: number;
}

/** The condition given to {@link waitFor} did not hold before the deadline. */
export class WaitForTimeoutError extends Error {
  readonly code = 'RAFT_WAIT_FOR_TIMEOUT';
  override readonly name = 'WaitForTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`condition still false after ${timeoutMs} ms`);
  }
}

/**
 * Resolves as soon as `condition()` returns true; rejects with {@link WaitForTimeoutError} if it is
 * still false at the deadline. Use it instead of a fixed sleep: a test waits exactly as long as the
 * system under test needs, and a hang fails with a clear error instead of a test-runner timeout.
 * The condition is checked once before any waiting, then every `intervalMs`; errors it throws propagate.
 *
 * @example
 * ```ts
 * await waitFor(() => received.length === 3, { timeoutMs: 2_000 });
 * ```
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new WaitForTimeoutError(timeoutMs);
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
