import { randomUUID } from 'node:crypto';
import type { RaftNode } from '@raft/core';
import {
  HttpError,
  parseReadConsistency,
  proposeCommand,
  type RequestContext,
  type Route,
  readBarrier,
  readJsonObject,
  sendJson,
} from '@raft/service';
import type { LockLimits } from '../lock-settings.js';
import { waitForGrant } from '../locks/grant-waiter.js';
import { encodeLockCommand, type LockCommand } from '../locks/lock-command.js';
import type { Grant, LockResult } from '../locks/lock-state.js';
import type { LockStateMachine } from '../locks/lock-state-machine.js';
import { nestedRoute } from './nested-route.js';
import {
  checkLockName,
  checkSessionId,
  sessionField,
  sessionNotFound,
  tokenField,
  ttlField,
  waitField,
} from './request-fields.js';

/** Request bodies are tiny JSON objects. */
const BODY_LIMIT = 4 * 1024;

/** Inputs of {@link lockRoutes}. */
export interface LockRouteOptions {
  readonly node: RaftNode<LockResult>;
  readonly store: LockStateMachine;
  readonly limits: LockLimits;
  /** Deadline of a write or a consistent read, in ms. */
  readonly requestTimeoutMs: number;
  /** Aborts every waiting acquire (the server is shutting down): they answer 503 `shutting_down`. */
  readonly shutdown: AbortSignal;
  /** Makes session ids; random UUIDs by default. */
  readonly newSessionId?: () => string;
}

function unexpected(result: LockResult): Error {
  return new Error(`unexpected result ${result.status} from the state machine`);
}

function grantBody(grant: Grant) {
  return { lock: grant.lock, session: grant.session, token: grant.token, queuedAt: grant.queuedAt };
}

function busy(lock: string, holder: string | null, why: string): HttpError {
  return new HttpError(409, 'lock_busy', why, { lock, holder });
}

/**
 * The lock service API: `POST /sessions`, `GET|DELETE /sessions/{id}`, `POST /sessions/{id}/keepalive`,
 * `GET /locks/{name}`, `POST /locks/{name}/acquire`, `POST /locks/{name}/release`.
 */
export function lockRoutes(options: LockRouteOptions): Route[] {
  const { node, store, limits, requestTimeoutMs } = options;
  const newSessionId = options.newSessionId ?? randomUUID;
  const propose = (command: LockCommand) =>
    proposeCommand(node, encodeLockCommand(command), requestTimeoutMs, { transfer: true });
  const lockName = (raw: string) => checkLockName(raw, limits.maxLockNameBytes);

  const openSession = async ({ request, response }: RequestContext) => {
    const ttlMs = ttlField(await readJsonObject(request, BODY_LIMIT), limits.minTtlMs, limits.maxTtlMs);
    const result = await propose({ op: 'open', session: newSessionId(), ttlMs });
    if (result.status !== 'opened') throw unexpected(result);
    sendJson(response, 201, { session: result.session, ttlMs: result.ttlMs });
  };

  const keepAlive = async ({ response }: RequestContext, id: string) => {
    const result = await propose({ op: 'keepalive', session: checkSessionId(id) });
    if (result.status === 'no-session') throw sessionNotFound(id);
    if (result.status !== 'renewed') throw unexpected(result);
    sendJson(response, 200, { session: id, ttlMs: result.ttlMs });
  };

  const closeSession = async ({ response }: RequestContext, id: string) => {
    const result = await propose({ op: 'close', session: checkSessionId(id) });
    if (result.status === 'no-session') throw sessionNotFound(id);
    if (result.status !== 'ended') throw unexpected(result);
    sendJson(response, 200, { session: id, released: result.released, grants: result.grants.map(grantBody) });
  };

  const describeSession = async ({ url, response }: RequestContext, id: string) => {
    await readBarrier(node, parseReadConsistency(url), requestTimeoutMs);
    const session = store.session(checkSessionId(id));
    if (session === undefined) throw sessionNotFound(id);
    sendJson(response, 200, {
      session: id,
      ttlMs: session.ttlMs,
      holds: [...session.holds].sort().map((name) => ({ lock: name, token: store.lock(name)!.token })),
      waits: [...session.waits].sort().map((name) => ({
        lock: name,
        position: store.lock(name)!.waiters.findIndex((waiter) => waiter.session === id) + 1,
      })),
    });
  };

  const describeLock = async ({ url, response }: RequestContext, raw: string) => {
    const name = lockName(raw);
    await readBarrier(node, parseReadConsistency(url), requestTimeoutMs);
    const lock = store.lock(name);
    sendJson(response, 200, {
      lock: name,
      holder: lock?.holder ?? null,
      token: lock?.token ?? null,
      queuedAt: lock?.queuedAt ?? null,
      waiters: lock?.waiters.map((waiter) => ({ session: waiter.session, queuedAt: waiter.queuedAt })) ?? [],
    });
  };

  const release = async ({ request, response }: RequestContext, raw: string) => {
    const name = lockName(raw);
    const body = await readJsonObject(request, BODY_LIMIT);
    const session = sessionField(body);
    const result = await propose({ op: 'release', session, lock: name, token: tokenField(body) });
    switch (result.status) {
      case 'released':
        sendJson(response, 200, {
          lock: name,
          token: result.token,
          next: result.next && grantBody(result.next),
        });
        return;
      case 'not-holder':
        throw new HttpError(409, 'not_holder', 'this session does not hold the lock (with this token)', {
          lock: name,
        });
      case 'no-session':
        throw sessionNotFound(session);
      default:
        throw unexpected(result);
    }
  };

  const acquire = async ({ request, response }: RequestContext, raw: string) => {
    const startedAt = performance.now();
    const name = lockName(raw);
    const body = await readJsonObject(request, BODY_LIMIT);
    const session = sessionField(body);
    const waitMs = waitField(body, limits.maxWaitMs);
    // The request ends early if the client goes away or the server shuts down.
    const gone = new AbortController();
    response.once('close', () => gone.abort());
    const result = await propose({ op: 'acquire', session, lock: name, wait: waitMs > 0 });
    switch (result.status) {
      case 'granted':
        sendJson(response, 200, grantBody(result.grant));
        return;
      case 'busy':
        throw busy(name, result.holder, 'the lock is held (waitMs was 0)');
      case 'no-session':
        throw sessionNotFound(session);
      case 'queued':
        break;
      default:
        throw unexpected(result);
    }
    const remaining = Math.max(0, waitMs - (performance.now() - startedAt));
    const outcome = await waitForGrant(
      store,
      session,
      name,
      remaining,
      AbortSignal.any([gone.signal, options.shutdown]),
    );
    switch (outcome) {
      case 'granted': {
        const lock = store.lock(name)!;
        sendJson(response, 200, { lock: name, session, token: lock.token, queuedAt: lock.queuedAt });
        return;
      }
      case 'session-ended':
        throw sessionNotFound(session);
      case 'not-waiting':
        throw busy(name, store.lock(name)?.holder ?? null, 'the session left the queue');
      case 'aborted':
        // A client that went away stays queued until it retries, releases or its session ends.
        if (options.shutdown.aborted) {
          throw new HttpError(
            503,
            'shutting_down',
            'the server is shutting down; retry the acquire elsewhere',
            {},
            {
              'retry-after': '1',
            },
          );
        }
        return;
      case 'timeout':
        break;
      default: {
        const never: never = outcome;
        throw new Error(`unknown wait outcome ${String(never)}`);
      }
    }
    // Leave the queue through the log. The grant may have been applied first: then the lock is ours.
    const left = await propose({ op: 'leave', session, lock: name });
    switch (left.status) {
      case 'granted':
        sendJson(response, 200, grantBody(left.grant));
        return;
      case 'left':
        throw busy(name, left.holder, `not granted within waitMs (${waitMs} ms); the session left the queue`);
      case 'no-session':
        throw sessionNotFound(session);
      default:
        throw unexpected(left);
    }
  };

  return [
    { path: '/sessions', methods: { POST: openSession } },
    nestedRoute('/sessions', {
      '': { GET: describeSession, DELETE: closeSession },
      keepalive: { POST: keepAlive },
    }),
    nestedRoute('/locks', {
      '': { GET: describeLock },
      acquire: { POST: acquire },
      release: { POST: release },
    }),
  ];
}
