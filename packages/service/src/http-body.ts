import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the body is larger than ${limit} bytes`, { limit });
}

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /**
   * Return a body that arrived in one chunk (the usual case for small bodies) as a view of the buffer
   * the socket read it into, not a copy. Saves an allocation per request, but the view keeps that whole
   * buffer (up to 64 KiB) alive: only for a caller that copies the bytes or drops them at once, as a
   * server encoding the body into a command does. Default false.
   */
  readonly view?: boolean;
}

/**
 * Reads a request body of at most `limit` bytes. A larger body is refused with 413 as soon as it is
 * known to be too large (from Content-Length, or while streaming), without buffering the rest; the
 * rest is read and discarded, and the error handler closes the connection after answering. A request
 * whose connection closes before its body ended rejects.
 *
 * Listens to the stream's events rather than iterating it with `for await`: the async iterator and
 * its promises cost about 4 KB of garbage per request, the largest single share of a raft-kv leader's
 * allocations under PUT load (see tooling/bench/README.md).
 */
export function readBody(
  request: IncomingMessage,
  limit: number,
  options: ReadBodyOptions = {},
): Promise<Uint8Array> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: unknown, body?: Uint8Array): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', settle);
      request.off('close', onClose);
      if (body === undefined) {
        // Keep the stream flowing (discarding what is left) so it can still end.
        request.resume();
        reject(error);
      } else {
        resolve(body);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (options.view === true && chunks.length === 1) {
        settle(undefined, chunks[0]);
        return;
      }
      // A copy, not a view: a chunk may share its memory with the rest of what the socket read.
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      settle(undefined, body);
    };
    const onClose = (): void => {
      if (!request.complete) settle(new Error('the connection closed before the request body ended'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', settle);
    request.on('close', onClose);
  });
}
