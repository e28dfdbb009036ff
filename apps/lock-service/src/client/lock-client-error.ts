/** The stable codes of {@link LockClientError}. */
export type LockClientErrorCode =
  /** The lock stayed held by others for the whole `waitMs` (HTTP 409 `lock_busy`). */
  | 'RAFT_LOCK_BUSY'
  /** The session does not exist: never opened, closed, or expired (HTTP 404 `session_not_found`). */
  | 'RAFT_LOCK_SESSION_NOT_FOUND'
  /** A release by a session that does not hold the lock, or with another token (HTTP 409 `not_holder`). */
  | 'RAFT_LOCK_NOT_HOLDER'
  /** The lease was lost while the lock was held: the session expired, or no keepalive got through in time. */
  | 'RAFT_LOCK_LOST'
  /** No node answered usefully before the retry deadline (unreachable, no leader, shutting down). */
  | 'RAFT_LOCK_UNAVAILABLE'
  /** Any other refusal (a 400 for a bad argument, a 500); `status` and `serverCode` say which. */
  | 'RAFT_LOCK_REQUEST_FAILED';

/** An error of the lock client; match on `code`, not on the message. */
export class LockClientError extends Error {
  override readonly name = 'LockClientError';

  constructor(
    readonly code: LockClientErrorCode,
    message: string,
    /** The HTTP status of the answer that caused it, if there was one. */
    readonly status?: number,
    /** The server's `error` code (`lock_busy`, `bad_ttl`...), if there was one. */
    readonly serverCode?: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
