/** Bytes that are not a command or snapshot of this format (a bug, or data written by another program). */
export class LockFormatError extends Error {
  readonly code = 'RAFT_LOCKS_FORMAT';
  override readonly name = 'LockFormatError';
}
