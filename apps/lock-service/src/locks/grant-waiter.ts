import type { LockStateMachine } from './lock-state-machine.js';

/** Why a wait for a grant ended. */
export type GrantWait =
  | 'granted'
  /** The session ended (closed or expired) while waiting. */
  | 'session-ended'
  /** The session is neither holding nor waiting any more (another request took it out of the queue). */
  | 'not-waiting'
  | 'timeout'
  | 'aborted';

/**
 * Waits until this node has applied the grant of `lock` to `session`, the session stops waiting, the
 * timeout passes or `signal` aborts. Checks the state at once (a grant applied before the call counts)
 * and again after every applied change to the lock or the session.
 */
export function waitForGrant(
  store: LockStateMachine,
  session: string,
  lock: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<GrantWait> {
  const state = (): GrantWait | undefined => {
    if (store.lock(lock)?.holder === session) return 'granted';
    const record = store.session(session);
    if (record === undefined) return 'session-ended';
    return record.waits.has(lock) ? undefined : 'not-waiting';
  };
  const now = state();
  if (now !== undefined) return Promise.resolve(now);
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const finish = (outcome: GrantWait): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const unsubscribe = store.subscribe((event) => {
      const relevant =
        event.type === 'restored' ||
        (event.type === 'lock-changed' && event.lock === lock) ||
        (event.type === 'ended' && event.session === session);
      if (!relevant) return;
      const outcome = state();
      if (outcome !== undefined) finish(outcome);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
