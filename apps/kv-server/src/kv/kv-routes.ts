import type { IncomingMessage } from 'node:http';
import type { RaftNode } from '@raft/core';
import {
  HttpError,
  parseReadConsistency,
  proposeCommand,
  type ReadConsistency,
  type RequestContext,
  type Route,
  readBarrier,
  readBody,
  sendJson,
} from '@raft/service';
import { encodeKvCommand, type KvCommand, type KvCondition, type KvIdempotency } from './kv-command.js';
import type { KvResult } from './kv-state.js';
import type { KvStateMachine } from './kv-state-machine.js';

/** Limits and deadlines of the KV API. */
export interface KvLimits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  /** Deadline of a write or a consistent read, in ms. */
  readonly requestTimeoutMs: number;
  /** How long an Idempotency-Key is remembered, in ms of the proposers' clocks. */
  readonly idempotencyTtlMs: number;
}

/** Inputs of {@link kvRoutes}. */
export interface KvRouteOptions {
  readonly node: RaftNode<KvResult>;
  readonly store: KvStateMachine;
  readonly limits: KvLimits;
  /** Wall clock for stamping commands; injectable for tests. */
  readonly now?: () => number;
}

const MAX_IDEMPOTENCY_KEY_BYTES = 256;
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

function decodeKey(rest: string, maxKeyBytes: number): string {
  let key: string;
  try {
    key = decodeURIComponent(rest);
  } catch {
    throw new HttpError(400, 'bad_key', 'the key is not valid percent-encoded UTF-8');
  }
  if (key === '') throw new HttpError(400, 'bad_key', 'the key is empty');
  if (Buffer.byteLength(key) > maxKeyBytes) {
    throw new HttpError(400, 'key_too_large', `the key is longer than ${maxKeyBytes} bytes`, {
      limit: maxKeyBytes,
    });
  }
  return key;
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) throw new HttpError(400, 'bad_request', `${name} given more than once`);
  return value;
}

/** `If-Match: "<revision>"` or `*`, `If-None-Match: *`; anything else is a 400 (never silently ignored). */
const NO_CONDITION: KvCondition = Object.freeze({ kind: 'none' });
const EXISTS: KvCondition = Object.freeze({ kind: 'exists' });
const ABSENT: KvCondition = Object.freeze({ kind: 'absent' });

function parseCondition(request: IncomingMessage): KvCondition {
  const ifMatch = singleHeader(request, 'if-match');
  const ifNoneMatch = singleHeader(request, 'if-none-match');
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new HttpError(400, 'bad_condition', 'give either If-Match or If-None-Match, not both');
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*')
      throw new HttpError(400, 'bad_condition', 'If-None-Match supports only *');
    return ABSENT;
  }
  if (ifMatch === undefined) return NO_CONDITION;
  const trimmed = ifMatch.trim();
  if (trimmed === '*') return EXISTS;
  const match = /^"(\d{1,15})"$/.exec(trimmed);
  if (match === null)
    throw new HttpError(400, 'bad_condition', 'If-Match must be "<revision>" (quoted) or *');
  return { kind: 'revision', revision: Number(match[1]) };
}

function parseIdempotency(request: IncomingMessage, now: number, ttlMs: number): KvIdempotency | undefined {
  const key = singleHeader(request, 'idempotency-key');
  if (key === undefined) return undefined;
  if (key === '' || Buffer.byteLength(key) > MAX_IDEMPOTENCY_KEY_BYTES) {
    throw new HttpError(
      400,
      'bad_idempotency_key',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_BYTES} bytes`,
    );
  }
  return { key, expiresAt: now + ttlMs };
}

/** The HTTP answer to a write's result. */
function answerWrite(context: RequestContext, result: KvResult): void {
  switch (result.status) {
    case 'ok':
      sendJson(context.response, 200, { revision: result.revision }, { etag: `"${result.revision}"` });
      return;
    case 'not-found':
      throw new HttpError(404, 'not_found', 'no such key');
    case 'precondition-failed':
      throw new HttpError(412, 'precondition_failed', 'the condition did not hold; nothing was written', {
        revision: result.revision,
      });
    case 'invalid':
      throw new Error('the state machine refused a command this server encoded');
    default: {
      const never: never = result;
      throw new Error(`unknown result ${String(never)}`);
    }
  }
}

/** The key-value API: `PUT|GET|DELETE /kv/{key}` and `GET /kv?prefix=&limit=`. */
export function kvRoutes(options: KvRouteOptions): Route[] {
  const { node, store, limits } = options;
  const now = options.now ?? Date.now;

  const barrier = (consistency: ReadConsistency): Promise<void> =>
    readBarrier(node, consistency, limits.requestTimeoutMs);
  const propose = (command: KvCommand): Promise<KvResult> =>
    proposeCommand(node, encodeKvCommand(command), limits.requestTimeoutMs, { transfer: true });

  const write = async (context: RequestContext, type: 'put' | 'delete'): Promise<void> => {
    const key = decodeKey(context.rest, limits.maxKeyBytes);
    const condition = parseCondition(context.request);
    const stamp = now();
    const idempotency = parseIdempotency(context.request, stamp, limits.idempotencyTtlMs);
    let command: KvCommand;
    if (type === 'put') {
      // A view is enough: encodeKvCommand copies the value into the entry before anything else runs.
      const value = await readBody(context.request, limits.maxValueBytes, { view: true });
      command = { type, key, value, condition, stamp, idempotency };
    } else {
      command = { type, key, condition, stamp, idempotency };
    }
    answerWrite(context, await propose(command));
  };

  return [
    {
      path: '/kv/*',
      methods: {
        PUT: (context) => write(context, 'put'),
        DELETE: (context) => write(context, 'delete'),
        GET: async (context) => {
          const key = decodeKey(context.rest, limits.maxKeyBytes);
          await barrier(parseReadConsistency(context.url));
          const stored = store.get(key);
          if (stored === undefined) throw new HttpError(404, 'not_found', 'no such key');
          context.response.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': stored.value.length,
            etag: `"${stored.revision}"`,
          });
          context.response.end(stored.value);
        },
      },
    },
    {
      path: '/kv',
      methods: {
        GET: async ({ url, response }) => {
          const prefix = url.searchParams.get('prefix') ?? '';
          const limitText = url.searchParams.get('limit');
          const limit =
            limitText === null ? DEFAULT_LIST_LIMIT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : 0;
          if (limit < 1 || limit > MAX_LIST_LIMIT) {
            throw new HttpError(400, 'bad_limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
          }
          await barrier(parseReadConsistency(url));
          const { items, more } = store.list(prefix, limit);
          sendJson(response, 200, { keys: items, more });
        },
      },
    },
  ];
}
