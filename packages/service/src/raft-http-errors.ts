import { HttpError } from './http-error.js';

const RETRY_AFTER = { 'retry-after': '1' };

/**
 * Maps a rejection of `propose` or `read` to an HTTP answer, by the error's stable `code`:
 * - `RAFT_NOT_LEADER`, `RAFT_PROPOSAL_DROPPED`: 503 with `Retry-After`; the request was not applied,
 *   so a retry is safe.
 * - `RAFT_TIMEOUT`: 504; for a write the outcome is indeterminate (it may still be applied).
 * - `RAFT_STOPPED`: 503 `shutting_down`; for a write the outcome is indeterminate.
 * Anything else is rethrown (a 500 with a log line).
 */
export function raftErrorToHttp(error: unknown, operation: 'write' | 'read'): HttpError {
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'RAFT_NOT_LEADER':
      return new HttpError(503, 'no_leader', 'no leader is known; retry shortly', {}, RETRY_AFTER);
    case 'RAFT_PROPOSAL_DROPPED':
      return new HttpError(
        503,
        'dropped',
        'the request was not applied (leadership changed); retry',
        {},
        RETRY_AFTER,
      );
    case 'RAFT_TIMEOUT':
      return new HttpError(
        504,
        'timeout',
        operation === 'write'
          ? 'the write was not applied within its deadline; its outcome is indeterminate (it may still be applied)'
          : 'the read could not be confirmed within its deadline',
      );
    case 'RAFT_STOPPED':
      return new HttpError(
        503,
        'shutting_down',
        operation === 'write'
          ? 'the node stopped; the outcome of the write is indeterminate'
          : 'the node stopped',
        {},
        RETRY_AFTER,
      );
    default:
      throw error;
  }
}

/** 503 for a request that needs the cluster while this node knows no leader. */
export function noLeaderError(): HttpError {
  return new HttpError(503, 'no_leader', 'no leader is known; retry shortly', {}, RETRY_AFTER);
}
