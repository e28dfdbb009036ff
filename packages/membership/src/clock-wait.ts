import type { AbortSignalLike, Clock } from '@raft/core';

/** The reason an aborted signal carries, or a generic error for signals that carry none (as core does). */
export function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason ?? new Error('the operation was aborted');
}

/** Throws the signal's reason if it has aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted === true) throw abortReason(signal);
}

/**
 * Resolves after `ms` milliseconds of `clock` (virtual in tests), or rejects with the signal's reason
 * as soon as it aborts. The timer is cancelled and the listener removed either way.
 */
export function clockDelay(clock: Clock, ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal!));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort);
  });
}
