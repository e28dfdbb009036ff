/** A live session: how long it lives without a keepalive, and the log position of its last renewal. */
export interface SessionRecord {
  readonly ttlMs: number;
  /** Log index of the entry that opened the session. */
  readonly openedAt: number;
  /** Log index of the last `open` or `keepalive` entry: what an `expire` entry must name to apply. */
  renewedAt: number;
  /** Locks it holds. */
  readonly holds: Set<string>;
  /** Locks whose queue it is in. */
  readonly waits: Set<string>;
}

/** A session in a lock's queue, and the log index of the `acquire` entry that queued it. */
export interface Waiter {
  readonly session: string;
  readonly queuedAt: number;
}

/**
 * A held lock. A lock that nobody holds has no record: when its holder lets go, the first waiter gets it
 * in the same entry, so a free lock never has waiters.
 */
export interface LockRecord {
  holder: string;
  /** Fencing token of the current grant: the log index of the entry that granted it. */
  token: number;
  /** When the holder entered the queue (the log index of its `acquire`; equals `token` for an immediate grant). */
  queuedAt: number;
  /** First in, first served. */
  readonly waiters: Waiter[];
}

/** Addresses a member announced through the log. */
export interface MemberAddresses {
  readonly clientUrl: string;
  readonly peerUrl: string;
}

/** The whole replicated state of the lock service: what a snapshot holds. */
export interface LockState {
  readonly sessions: Map<string, SessionRecord>;
  readonly locks: Map<string, LockRecord>;
  readonly members: Map<string, MemberAddresses>;
}

export function emptyLockState(): LockState {
  return { sessions: new Map(), locks: new Map(), members: new Map() };
}

/** A grant: who got the lock, with which fencing token, and since when it had waited. */
export interface Grant {
  readonly lock: string;
  readonly session: string;
  readonly token: number;
  readonly queuedAt: number;
}

/** What applying a command produced (the HTTP layer turns it into an answer). */
export type LockResult =
  | { readonly status: 'opened'; readonly session: string; readonly ttlMs: number }
  | { readonly status: 'renewed'; readonly session: string; readonly ttlMs: number }
  /** A session ended (`close` or `expire`): the locks it held, and who got each of them next. */
  | {
      readonly status: 'ended';
      readonly session: string;
      readonly released: readonly string[];
      readonly grants: readonly Grant[];
    }
  | { readonly status: 'granted'; readonly grant: Grant }
  /** In the queue at `position` (1 is next). */
  | { readonly status: 'queued'; readonly position: number; readonly queuedAt: number }
  /** Held by another session and the caller did not want to wait (or its wait ended). */
  | { readonly status: 'busy'; readonly holder: string }
  /** Out of the queue (or was not in it); `holder` is the lock's holder now, or null. */
  | { readonly status: 'left'; readonly holder: string | null }
  | { readonly status: 'released'; readonly token: number; readonly next: Grant | null }
  | { readonly status: 'not-holder' }
  /** The session does not exist (never opened, closed or expired). */
  | { readonly status: 'no-session' }
  /** `expire` named an older renewal: the session was renewed since, nothing happened. */
  | { readonly status: 'renewed-since' }
  /** `open` with an id already in use (practically impossible with random ids; refused anyway). */
  | { readonly status: 'exists' }
  | { readonly status: 'announced' }
  /** The entry was not a command of this format (nothing changed). */
  | { readonly status: 'invalid' };
