import { HttpError } from '@raft/service';

/** Longest session id accepted (the server makes 36-character UUIDs). */
const MAX_SESSION_ID_LENGTH = 128;

type Body = Readonly<Record<string, unknown>>;

function integerField(
  body: Body,
  name: string,
  min: number,
  max: number,
  code: string,
  fallback?: number,
): number {
  const value = body[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new HttpError(400, code, `"${name}" must be an integer from ${min} to ${max}`, { min, max });
  }
  return value;
}

/** `ttlMs` of a new session, within the configured bounds. @throws HttpError 400 `bad_ttl`. */
export function ttlField(body: Body, minTtlMs: number, maxTtlMs: number): number {
  return integerField(body, 'ttlMs', minTtlMs, maxTtlMs, 'bad_ttl');
}

/** `waitMs` of an acquire, 0 when absent. @throws HttpError 400 `bad_wait`. */
export function waitField(body: Body, maxWaitMs: number): number {
  return integerField(body, 'waitMs', 0, maxWaitMs, 'bad_wait', 0);
}

/** The optional fencing `token` of a release. @throws HttpError 400 `bad_token`. */
export function tokenField(body: Body): number | null {
  if (body['token'] === undefined || body['token'] === null) return null;
  return integerField(body, 'token', 1, Number.MAX_SAFE_INTEGER, 'bad_token');
}

/** The `session` id of a lock request. @throws HttpError 400 `bad_session`. */
export function sessionField(body: Body): string {
  const value = body['session'];
  if (typeof value !== 'string') throw new HttpError(400, 'bad_session', '"session" must be a session id');
  return checkSessionId(value);
}

/** A session id from the body or the path. @throws HttpError 400 `bad_session`. */
export function checkSessionId(value: string): string {
  if (value === '' || value.length > MAX_SESSION_ID_LENGTH) {
    throw new HttpError(400, 'bad_session', `a session id has 1 to ${MAX_SESSION_ID_LENGTH} characters`);
  }
  return value;
}

/** A lock name from the path (already percent-decoded). @throws HttpError 400 `bad_lock_name`. */
export function checkLockName(name: string, maxBytes: number): string {
  if (name === '' || Buffer.byteLength(name) > maxBytes) {
    throw new HttpError(400, 'bad_lock_name', `a lock name has 1 to ${maxBytes} bytes (UTF-8)`, {
      limit: maxBytes,
    });
  }
  return name;
}

/** 404 for a session that does not exist (never opened, closed, or expired). */
export function sessionNotFound(id: string): HttpError {
  return new HttpError(404, 'session_not_found', `no session ${id} (never opened, closed or expired)`);
}
