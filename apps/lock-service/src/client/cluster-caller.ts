import { LockClientError } from './lock-client-error.js';

/** An answer other than 503/504, with its JSON body. */
export interface CallAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Per-call options. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Added to the attempt timeout (a long-polling acquire waits this long on the server). */
  readonly waitMs?: number;
  /** Overrides the client's retry window for this call. */
  readonly retryForMs?: number;
  /** Overrides the client's attempt timeout for this call (a keepalive cannot wait long on one node). */
  readonly attemptTimeoutMs?: number;
}

/** Options of {@link clusterCaller}. */
export interface ClusterCallerOptions {
  readonly urls: readonly string[];
  readonly retryForMs: number;
  readonly attemptTimeoutMs: number;
  readonly fetch: typeof fetch;
}

/** Makes HTTP calls to a cluster: to the leader when known, else round robin, retrying until a deadline. */
export interface ClusterCaller {
  /** `body` (JSON) may be a function, called for each attempt (an acquire sends the wait time left). */
  call(method: string, path: string, body: unknown, options?: CallOptions): Promise<CallAnswer>;
  /** The URL requests go to first (the leader's, once learned). */
  preferred(): string;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Every node accepts every request (followers forward writes to the leader), so any URL works; the leader
 * answers fastest. Each answer names the leader in `Raft-Leader`; its URL comes from `GET /cluster`.
 * Connection failures and 503/504 answers are retried on the next node with a growing backoff, until
 * the retry window closes (`RAFT_LOCK_UNAVAILABLE`). Every operation of the lock API is safe to retry.
 */
export function clusterCaller(options: ClusterCallerOptions): ClusterCaller {
  if (options.urls.length === 0) throw new RangeError('createLockClient needs at least one URL');
  const urls = options.urls.map((url) => url.replace(/\/+$/, ''));
  const members = new Map<string, string>();
  let cursor = 0;
  let leaderUrl: string | undefined;
  let refreshing = false;
  // A node that just failed (timed out, refused, answered 503) is avoided for a while, even when an answer
  // from a node that has not noticed yet still names it as the leader (a paused leader, say).
  const suspectUntil = new Map<string, number>();
  const suspect = (url: string) => (suspectUntil.get(url) ?? 0) > performance.now();

  const target = (): string => {
    if (leaderUrl !== undefined && !suspect(leaderUrl)) return leaderUrl;
    for (let step = 0; step < urls.length; step++) {
      const url = urls[(cursor + step) % urls.length]!;
      if (!suspect(url)) {
        cursor += step;
        return url;
      }
    }
    return urls[cursor % urls.length]!;
  };

  const refreshMembers = (from: string, leader: string): void => {
    if (refreshing) return;
    refreshing = true;
    void (async () => {
      try {
        const response = await options.fetch(`${from}/cluster`, {
          signal: AbortSignal.timeout(options.attemptTimeoutMs),
        });
        const view = (await response.json()) as { members?: { id: string; clientUrl: string | null }[] };
        for (const member of view.members ?? []) {
          if (member.clientUrl) members.set(member.id, member.clientUrl);
        }
        const url = members.get(leader);
        if (url !== undefined && !suspect(url)) leaderUrl = url;
      } catch {
        // Leader following is an optimisation: without it requests still work through any node.
      } finally {
        refreshing = false;
      }
    })();
  };

  const noteLeader = (leader: string | null, from: string): void => {
    if (leader === null || leader === '') return;
    const url = members.get(leader);
    if (url === undefined) refreshMembers(from, leader);
    else if (!suspect(url)) leaderUrl = url;
  };

  const failed = (url: string): void => {
    suspectUntil.set(url, performance.now() + 2 * options.attemptTimeoutMs);
    if (leaderUrl === url) leaderUrl = undefined;
    if (urls[cursor % urls.length] === url) cursor++;
  };

  return {
    preferred: target,
    call: async (method, path, body, callOptions = {}) => {
      const signal = callOptions.signal;
      const deadline = performance.now() + (callOptions.retryForMs ?? options.retryForMs);
      let lastProblem = 'no attempt made';
      for (let attempt = 0; ; attempt++) {
        const url = target();
        try {
          const timeout = AbortSignal.timeout(
            Math.ceil((callOptions.attemptTimeoutMs ?? options.attemptTimeoutMs) + (callOptions.waitMs ?? 0)),
          );
          const init: RequestInit = {
            method,
            signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
          };
          const json = typeof body === 'function' ? (body as () => unknown)() : body;
          if (json !== undefined) {
            init.body = JSON.stringify(json);
            init.headers = { 'content-type': 'application/json' };
          }
          const response = await options.fetch(`${url}${path}`, init);
          noteLeader(response.headers.get('raft-leader'), url);
          const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
          if (response.status !== 503 && response.status !== 504) {
            suspectUntil.delete(url);
            return { status: response.status, body: parsed };
          }
          lastProblem = `${url} answered ${response.status} ${String(parsed['error'])}`;
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          lastProblem = `${url}: ${(error as Error).message}`;
        }
        failed(url);
        if (performance.now() >= deadline) {
          throw new LockClientError(
            'RAFT_LOCK_UNAVAILABLE',
            `no node could serve ${method} ${path}: ${lastProblem}`,
          );
        }
        await delay(Math.min(500, 25 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2), signal);
      }
    },
  };
}
