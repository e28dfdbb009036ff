import type { IncomingMessage } from 'node:http';
import { readBody } from './http-body.js';
import { HttpError } from './http-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON object body of at most `limit` bytes; an empty body reads as `{}`.
 * @throws HttpError 413 `payload_too_large` (see {@link readBody}), 400 `bad_request` for a body that is
 * not UTF-8 JSON or not an object.
 */
export async function readJsonObject(
  request: IncomingMessage,
  limit: number,
): Promise<Readonly<Record<string, unknown>>> {
  const body = await readBody(request, limit);
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    throw new HttpError(400, 'bad_request', 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'bad_request', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
