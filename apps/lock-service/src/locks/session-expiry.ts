import type { RaftNode } from '@raft/core';
import type { Logger } from '@raft/service';
import { encodeLockCommand } from './lock-command.js';
import type { LockResult } from './lock-state.js';
import type { LockEvent, LockStateMachine } from './lock-state-machine.js';

/** Inputs of {@link sessionExpiry}. */
export interface SessionExpiryOptions {
  readonly node: Pick<RaftNode<LockResult>, 'status' | 'propose'>;
  readonly store: LockStateMachine;
  readonly logger: Logger;
  /** How often the leader looks for sessions past their TTL. */
  readonly checkEveryMs: number;
  /**
   * A check this much later than the previous one means this process was paused or starved: every TTL
   * restarts, as on a new leader, since keepalives may have been trying to reach it all along.
   */
  readonly lateAfterMs: number;
  /** Deadline of an `expire` proposal. */
  readonly requestTimeoutMs: number;
  /** A monotonic clock in milliseconds; injectable for tests. Default `performance.now`. */
  readonly now?: () => number;
}

/** The leader's session clock. */
export interface SessionExpiry {
  /** Checks every `checkEveryMs` until stopped. */
  start(): void;
  /** One round: on the leader, proposes the expiry of every session past its TTL. */
  check(): void;
  /** When this node would expire the session, on its own clock (undefined: unknown session). */
  deadlineOf(session: string): number | undefined;
  stop(): void;
}

/**
 * Decides session expiry on the leader's clock, through the log. Every node notes, when it applies a
 * session's `open` or `keepalive`, that the session lives `ttlMs` from now on its own clock; only the
 * leader acts on it, by proposing `expire` naming the renewal it saw last (a keepalive that commits first
 * makes the expiry a no-op). A node that becomes leader, or finds it was paused, restarts every TTL from
 * its own clock: it cannot know when the old leader last heard from each session, so a leader change
 * never expires a session early, it only ever extends it.
 */
export function sessionExpiry(options: SessionExpiryOptions): SessionExpiry {
  const { node, store, logger } = options;
  const now = options.now ?? (() => performance.now());
  const deadlines = new Map<string, number>();
  const expiring = new Set<string>();
  let leaderTerm: number | undefined;
  let lastCheck: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const restartAll = (): void => {
    const at = now();
    deadlines.clear();
    for (const [id, session] of store.sessions()) deadlines.set(id, at + session.ttlMs);
  };

  const unsubscribe = store.subscribe((event: LockEvent) => {
    switch (event.type) {
      case 'renewed':
        deadlines.set(event.session, now() + event.ttlMs);
        return;
      case 'ended':
        deadlines.delete(event.session);
        return;
      case 'restored':
        restartAll();
        return;
      case 'lock-changed':
        return;
      default: {
        const never: never = event;
        throw new TypeError(`unknown event ${String(never)}`);
      }
    }
  });

  const expire = (id: string, renewedAt: number): void => {
    expiring.add(id);
    node
      .propose(encodeLockCommand({ op: 'expire', session: id, renewedAt }), {
        timeoutMs: options.requestTimeoutMs,
      })
      .then(
        (result) => {
          expiring.delete(id);
          if (result.status === 'ended') {
            logger.info('session expired', { session: id, released: result.released, grants: result.grants });
          }
        },
        (error: unknown) => {
          // Not leader any more, dropped or timed out: the next check tries again if still due.
          expiring.delete(id);
          logger.debug('expiring a session failed', { session: id, error });
        },
      );
  };

  const check = (): void => {
    const at = now();
    const late = lastCheck !== undefined && at - lastCheck > options.lateAfterMs;
    lastCheck = at;
    const status = node.status();
    if (status.role !== 'leader') {
      leaderTerm = undefined;
      return;
    }
    if (leaderTerm !== status.term || late) {
      logger.info(
        late ? 'session clock was paused: every TTL restarts' : 'leading: every session TTL restarts',
        {
          term: status.term,
          sessions: store.sessions().size,
        },
      );
      leaderTerm = status.term;
      restartAll();
      return;
    }
    for (const [id, deadline] of deadlines) {
      if (deadline > at || expiring.has(id)) continue;
      const session = store.session(id);
      if (session === undefined) deadlines.delete(id);
      else expire(id, session.renewedAt);
    }
  };

  return {
    start: () => {
      timer ??= setInterval(check, options.checkEveryMs);
    },
    check,
    deadlineOf: (session) => deadlines.get(session),
    stop: () => {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
