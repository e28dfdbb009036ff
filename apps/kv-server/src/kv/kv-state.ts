/** A stored value and the log index of the write that produced it (its revision). */
export interface StoredValue {
  readonly value: Uint8Array;
  readonly revision: number;
}

/** What applying a write produced; also what a retried write with the same idempotency key receives. */
export type KvResult =
  | { readonly status: 'ok'; readonly revision: number }
  /** A delete of a key that does not exist (nothing was written). */
  | { readonly status: 'not-found' }
  /** The `If-Match` / `If-None-Match` condition did not hold; `revision` is the key's, or null if absent. */
  | { readonly status: 'precondition-failed'; readonly revision: number | null }
  /** The entry was not a command of this format (nothing was written). */
  | { readonly status: 'invalid' };

/** A remembered idempotent write: its first result, forgotten once a newer stamp passes `expiresAt`. */
export interface DedupRecord {
  readonly expiresAt: number;
  readonly result: KvResult;
}

/** Addresses a member announced through the log. */
export interface MemberAddresses {
  readonly clientUrl: string;
  readonly peerUrl: string;
}

/** The whole replicated state of the key-value store: what a snapshot holds. */
export interface KvState {
  readonly values: Map<string, StoredValue>;
  /** In insertion order, which is roughly expiry order: expiry scans from the front. */
  readonly dedup: Map<string, DedupRecord>;
  readonly members: Map<string, MemberAddresses>;
  /** The newest command stamp applied so far: the state machine's notion of "now". */
  newestStamp: number;
}

export function emptyKvState(): KvState {
  return { values: new Map(), dedup: new Map(), members: new Map(), newestStamp: 0 };
}
