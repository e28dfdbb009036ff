/**
 * `@raft/lock-service/client`: a typed client of the raft-locks HTTP API, browser-safe (fetch only).
 * `withLock` holds a lock for the length of a function, keeps its session alive in the background and
 * hands the function the fencing token that the protected resource must check.
 *
 * @example
 * ```ts
 * import { createLockClient } from '@raft/lock-service/client';
 *
 * const locks = createLockClient({ urls: ['http://127.0.0.1:8091', 'http://127.0.0.1:8092'] });
 * await locks.withLock('nightly-report', async ({ token, signal }) => {
 *   await storage.put('report', body, { fencingToken: token, signal });
 * });
 * ```
 */
export type {
  HeldLock,
  LockClient,
  LockClientOptions,
  LockGrant,
  LockSession,
  LockView,
  RequestOptions,
  WithLockOptions,
} from './lock-client.js';
export { createLockClient } from './lock-client.js';
export type { LockClientErrorCode } from './lock-client-error.js';
export { LockClientError } from './lock-client-error.js';
