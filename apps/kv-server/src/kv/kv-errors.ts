/** Bytes that are not a valid command or snapshot of this format (a bug, or data from another program). */
export class KvFormatError extends Error {
  readonly code = 'RAFT_KV_FORMAT';
  override readonly name = 'KvFormatError';
}
