import { type CallAnswer, type CallOptions, clusterCaller } from './cluster-caller.js';
import { LockClientError } from './lock-client-error.js';
import { keepSessionAlive } from './session-keeper.js';

/** Options of {@link createLockClient}. */
export interface LockClientOptions {
  /** HTTP URLs of some or all nodes (`http://127.0.0.1:8090`); any node serves any request. */
  readonly urls: readonly string[];
  /** How long a call keeps retrying through failovers (connection errors, 503, 504). Default 10,000 ms. */
  readonly retryForMs?: number;
  /** Timeout of one HTTP attempt (plus `waitMs` for an acquire). Default 10,000 ms. */
  readonly attemptTimeoutMs?: number;
  /** The `fetch` to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

/** A session as the server opened it. */
export interface LockSession {
  readonly session: string;
  readonly ttlMs: number;
}

/** A granted lock. `token` is its fencing token: larger for every later grant of the same lock. */
export interface LockGrant {
  readonly lock: string;
  readonly session: string;
  readonly token: number;
  /** The log index at which the session entered the queue (equals `token` for an immediate grant). */
  readonly queuedAt: number;
}

/** What the service says about a lock (a free lock has a null holder and token and no waiters). */
export interface LockView {
  readonly lock: string;
  readonly holder: string | null;
  readonly token: number | null;
  readonly queuedAt: number | null;
  readonly waiters: readonly { readonly session: string; readonly queuedAt: number }[];
}

/** What {@link LockClient.withLock} hands to its function while the lock is held. */
export interface HeldLock {
  readonly name: string;
  /** The fencing token: pass it to every resource the lock protects, which must refuse smaller ones. */
  readonly token: number;
  readonly session: string;
  /** The log index at which this session entered the lock's queue (equals `token` for an immediate grant). */
  readonly queuedAt: number;
  /** Aborts when the lease is lost (reason: `RAFT_LOCK_LOST`) or the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** Milliseconds the lease surely has left on this client's clock. */
  remainingMs(): number;
}

/** Options of {@link LockClient.withLock}. */
export interface WithLockOptions {
  /** Session TTL: how long the lock outlives this client if it dies. Default 10,000 ms. */
  readonly ttlMs?: number;
  /** How long to wait in the lock's queue. Default 30,000 ms; 0 fails at once if the lock is held. */
  readonly waitMs?: number;
  /** Aborts the wait, or is passed on to the function while it runs. */
  readonly signal?: AbortSignal;
}

/** Per-request options. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** A typed client of the lock service's HTTP API. */
export interface LockClient {
  /**
   * Runs `fn` while holding `name`: opens a session, keeps it alive in the background, waits for the
   * lock (FIFO), calls `fn` with the fencing token, and closes the session afterwards, whether `fn`
   * returned or threw (closing releases the lock).
   * @throws LockClientError `RAFT_LOCK_BUSY` when not granted within `waitMs`, `RAFT_LOCK_LOST` when the
   * lease was lost before `fn` started, `RAFT_LOCK_UNAVAILABLE` when no node answered; whatever `fn` throws.
   */
  withLock<T>(name: string, fn: (lock: HeldLock) => Promise<T> | T, options?: WithLockOptions): Promise<T>;
  /** `POST /sessions`. */
  openSession(ttlMs: number, options?: RequestOptions): Promise<LockSession>;
  /** `POST /sessions/{id}/keepalive`. @throws `RAFT_LOCK_SESSION_NOT_FOUND` once the session is gone. */
  keepAlive(session: string, options?: RequestOptions): Promise<void>;
  /** `DELETE /sessions/{id}`: releases every lock it holds. Resolves with their names (none if it was gone). */
  closeSession(session: string, options?: RequestOptions): Promise<readonly string[]>;
  /** `POST /locks/{name}/acquire`, waiting up to `waitMs` in the queue. @throws `RAFT_LOCK_BUSY`. */
  acquire(
    name: string,
    session: string,
    options?: RequestOptions & { readonly waitMs?: number },
  ): Promise<LockGrant>;
  /** `POST /locks/{name}/release`. @throws `RAFT_LOCK_NOT_HOLDER`. */
  release(
    name: string,
    session: string,
    options?: RequestOptions & { readonly token?: number },
  ): Promise<void>;
  /** `GET /locks/{name}` (linearizable). */
  describe(name: string, options?: RequestOptions): Promise<LockView>;
}

function refusal(answer: CallAnswer, what: string): LockClientError {
  const serverCode = typeof answer.body['error'] === 'string' ? answer.body['error'] : undefined;
  const message =
    `${what}: ${answer.status} ${serverCode ?? ''} ${String(answer.body['message'] ?? '')}`.trim();
  const code =
    serverCode === 'lock_busy'
      ? 'RAFT_LOCK_BUSY'
      : serverCode === 'session_not_found'
        ? 'RAFT_LOCK_SESSION_NOT_FOUND'
        : serverCode === 'not_holder'
          ? 'RAFT_LOCK_NOT_HOLDER'
          : 'RAFT_LOCK_REQUEST_FAILED';
  return new LockClientError(code, message, answer.status, serverCode);
}

const segment = encodeURIComponent;

/**
 * Creates a client of a raft-locks cluster. It follows the leader named by `Raft-Leader` and retries
 * through failovers; every call is safe to retry (acquire is idempotent for a session, a retried release
 * with its token or a retried close finds the work done).
 *
 * @example
 * ```ts
 * const locks = createLockClient({ urls: ['http://127.0.0.1:8091', 'http://127.0.0.1:8092'] });
 * await locks.withLock('reports', async ({ token, signal }) => {
 *   await storage.write('report', data, { fencingToken: token, signal });
 * }, { ttlMs: 10_000, waitMs: 30_000 });
 * ```
 */
export function createLockClient(options: LockClientOptions): LockClient {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const caller = clusterCaller({
    urls: options.urls,
    retryForMs: options.retryForMs ?? 10_000,
    attemptTimeoutMs,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  });
  const call = (method: string, path: string, body?: unknown, callOptions?: CallOptions) =>
    caller.call(method, path, body, callOptions);

  const renew = async (session: string, callOptions: CallOptions): Promise<void> => {
    const answer = await call('POST', `/sessions/${segment(session)}/keepalive`, undefined, callOptions);
    if (answer.status !== 200) throw refusal(answer, 'keepalive');
  };

  const client: LockClient = {
    openSession: async (ttlMs, { signal } = {}) => {
      const answer = await call('POST', '/sessions', { ttlMs }, { signal });
      if (answer.status !== 201) throw refusal(answer, 'open session');
      return { session: String(answer.body['session']), ttlMs: Number(answer.body['ttlMs']) };
    },
    keepAlive: (session, { signal } = {}) => renew(session, { signal }),
    closeSession: async (session, { signal } = {}) => {
      const answer = await call('DELETE', `/sessions/${segment(session)}`, undefined, { signal });
      // A retry after a close that went through finds the session gone: the work is done.
      if (answer.status === 404 && answer.body['error'] === 'session_not_found') return [];
      if (answer.status !== 200) throw refusal(answer, 'close session');
      return answer.body['released'] as string[];
    },
    acquire: async (name, session, { signal, waitMs = 0 } = {}) => {
      const deadline = performance.now() + waitMs;
      // A retried acquire keeps the session's place in the queue; it waits only for the time left.
      const body = () => ({ session, waitMs: Math.max(0, Math.round(deadline - performance.now())) });
      const answer = await call('POST', `/locks/${segment(name)}/acquire`, body, {
        signal,
        waitMs,
        retryForMs: Math.max(options.retryForMs ?? 10_000, waitMs),
      });
      if (answer.status !== 200) throw refusal(answer, `acquire ${name}`);
      return answer.body as unknown as LockGrant;
    },
    release: async (name, session, { signal, token } = {}) => {
      const answer = await call('POST', `/locks/${segment(name)}/release`, { session, token }, { signal });
      if (answer.status !== 200) throw refusal(answer, `release ${name}`);
    },
    describe: async (name, { signal } = {}) => {
      const answer = await call('GET', `/locks/${segment(name)}`, undefined, { signal });
      if (answer.status !== 200) throw refusal(answer, `describe ${name}`);
      return answer.body as unknown as LockView;
    },
    withLock: async (name, fn, withOptions = {}) => {
      const ttlMs = withOptions.ttlMs ?? 10_000;
      const signal = withOptions.signal;
      const sentAt = performance.now();
      const { session } = await client.openSession(ttlMs, signal === undefined ? {} : { signal });
      const keeper = keepSessionAlive(
        // Short attempts: a node that does not answer (paused, or forwarding to a leader that is gone) must
        // not eat the time left on the lease; the keepalive moves on to the next node instead.
        (keepSignal) =>
          renew(session, {
            signal: keepSignal,
            attemptTimeoutMs: Math.min(attemptTimeoutMs, Math.max(100, ttlMs / 6)),
          }),
        ttlMs,
        sentAt,
      );
      const watched = signal === undefined ? keeper.signal : AbortSignal.any([signal, keeper.signal]);
      try {
        const grant = await client.acquire(name, session, {
          signal: watched,
          waitMs: withOptions.waitMs ?? 30_000,
        });
        watched.throwIfAborted();
        return await fn({
          name,
          token: grant.token,
          session,
          queuedAt: grant.queuedAt,
          signal: watched,
          remainingMs: keeper.remainingMs,
        });
      } finally {
        keeper.stop();
        // Closing the session releases the lock and any place in a queue; if it fails, the TTL does it.
        await client.closeSession(session).catch(() => {});
      }
    },
  };
  return client;
}
