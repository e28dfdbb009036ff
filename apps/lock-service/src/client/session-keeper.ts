import { LockClientError } from './lock-client-error.js';

/** Keeps one session alive in the background and says when its lease is lost. */
export interface SessionKeeper {
  /** Aborts (reason: a `RAFT_LOCK_LOST` {@link LockClientError}) once the lease is lost. */
  readonly signal: AbortSignal;
  /** Milliseconds the lease surely has left on this client's clock (0 once lost). */
  remainingMs(): number;
  stop(): void;
}

/**
 * Sends a keepalive every third of the TTL. The lease is counted conservatively on this client's clock:
 * it runs until the TTL after the moment the last successful keepalive was SENT (the server starts its
 * count later, when it applies it). It is lost when the server says the session is gone, or when that
 * moment passes without a successful keepalive.
 */
export function keepSessionAlive(
  keepAlive: (signal: AbortSignal) => Promise<void>,
  ttlMs: number,
  openedSentAt: number,
): SessionKeeper {
  const lost = new AbortController();
  const stopped = new AbortController();
  let validUntil = openedSentAt + ttlMs;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let nextTimer: ReturnType<typeof setTimeout> | undefined;

  const lose = (why: string, cause?: unknown): void => {
    if (lost.signal.aborted || stopped.signal.aborted) return;
    lost.abort(new LockClientError('RAFT_LOCK_LOST', why, undefined, undefined, { cause }));
    clearTimeout(nextTimer);
    clearTimeout(expiryTimer);
  };
  const armExpiry = (): void => {
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(
      () => lose(`no keepalive got through within the TTL (${ttlMs} ms)`),
      Math.max(0, validUntil - performance.now()),
    );
  };
  const beat = async (): Promise<void> => {
    const sentAt = performance.now();
    try {
      await keepAlive(
        AbortSignal.any([stopped.signal, AbortSignal.timeout(Math.max(1, Math.ceil(validUntil - sentAt)))]),
      );
      validUntil = Math.max(validUntil, sentAt + ttlMs);
      armExpiry();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'RAFT_LOCK_SESSION_NOT_FOUND') {
        lose('the session expired on the server', error);
        return;
      }
      // Anything else: try again at the next beat, while the lease lasts.
    }
    if (!lost.signal.aborted && !stopped.signal.aborted) nextTimer = setTimeout(() => void beat(), ttlMs / 3);
  };
  armExpiry();
  nextTimer = setTimeout(() => void beat(), ttlMs / 3);
  return {
    signal: lost.signal,
    remainingMs: () => (lost.signal.aborted ? 0 : Math.max(0, validUntil - performance.now())),
    stop: () => {
      stopped.abort();
      clearTimeout(nextTimer);
      clearTimeout(expiryTimer);
    },
  };
}
