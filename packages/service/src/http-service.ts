import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from './http-error.js';
import { matchRoute, type RequestContext, type Route } from './http-router.js';
import type { Logger } from './json-logger.js';
import { plainPathname } from './request-target.js';
import { ServiceResponse } from './service-response.js';

/** Options of {@link createHttpService}. */
export interface HttpServiceOptions {
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** Headers added to every response, errors included (e.g. `Raft-Leader`). */
  readonly commonHeaders?: () => Readonly<Record<string, string>>;
}

/** An HTTP server with JSON errors, in-flight tracking and a graceful close. */
export interface HttpService {
  readonly server: Server;
  /** Starts listening; resolves with the bound address (the real port when 0 was asked). */
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Requests being handled right now. */
  inFlight(): number;
  /**
   * Graceful close: stop accepting connections, answer requests arriving on open keep-alive connections
   * with 503 `shutting_down`, let in-flight requests finish (up to `deadlineMs`), then close every
   * connection. Resolves once the server is closed.
   */
  close(deadlineMs: number): Promise<void>;
}

/** Sends a JSON body (with a trailing newline) unless the response was already sent. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  // A flat list: Node takes it as it is, where an object would be copied into one first.
  const list: string[] = [];
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower !== 'content-type' && lower !== 'content-length') list.push(name, headers[name]!);
  }
  list.push(
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(text)),
  );
  response.writeHead(status, list);
  response.end(text);
}

function parseTarget(target: string): URL {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new HttpError(400, 'bad_request', 'malformed request target');
  }
}

/** A {@link RequestContext} whose URL is parsed on first use. */
class Context implements RequestContext {
  rest = '';

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private parsed: URL | undefined,
  ) {}

  get url(): URL {
    if (this.parsed === undefined) this.parsed = parseTarget(this.request.url ?? '/');
    return this.parsed;
  }
}

function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(
    response,
    error.status,
    { error: error.code, message: error.message, ...error.details },
    error.headers,
  );
}

/**
 * Creates the HTTP plumbing a service needs: routing with 404 for unknown paths and 405 (with `Allow`)
 * for known paths with another method, JSON errors from {@link HttpError}, 500 for anything unexpected
 * (logged, the process keeps serving), 400 for requests Node's parser refuses, and a graceful close.
 */
export function createHttpService(options: HttpServiceOptions): HttpService {
  const { routes, logger } = options;
  let active = 0;
  let closing = false;
  const idleWaiters: (() => void)[] = [];

  const handle = async (request: IncomingMessage, response: ServiceResponse): Promise<void> => {
    response.commonHeaders = options.commonHeaders?.();
    if (closing) {
      response.setHeader('connection', 'close');
      throw new HttpError(503, 'shutting_down', 'the server is shutting down', {}, { 'retry-after': '1' });
    }
    const target = request.url ?? '/';
    // A plain path needs no URL until a handler asks for one (most never do).
    const pathname = plainPathname(target);
    const context = new Context(request, response, pathname === undefined ? parseTarget(target) : undefined);
    const path = pathname ?? context.url.pathname;
    const match = matchRoute(routes, request.method ?? 'GET', path);
    if (match.kind === 'not-found') throw new HttpError(404, 'not_found', `no route ${path}`);
    if (match.kind === 'method-not-allowed') {
      throw new HttpError(
        405,
        'method_not_allowed',
        `${request.method} is not allowed on ${path}`,
        {},
        { allow: match.allow.join(', ') },
      );
    }
    context.rest = match.rest;
    await match.handler(context);
  };

  const server = createServer({ ServerResponse: ServiceResponse }, (request, response) => {
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    });
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) {
        // An unread request body would be parsed as the next request: close the connection instead.
        if (!request.complete) response.setHeader('connection', 'close');
        sendError(response, error);
        return;
      }
      logger.error('request failed', { method: request.method, url: request.url, error });
      if (!response.headersSent) {
        sendError(response, new HttpError(500, 'internal', 'internal error'));
      } else {
        response.destroy();
      }
    });
  });
  server.on('clientError', (error, socket) => {
    // Malformed HTTP never reaches a handler: answer 400 if the socket still takes it, then drop it.
    logger.debug('malformed HTTP request', { error });
    if (socket.writable && !(error as { code?: string }).code?.startsWith('ECONN')) {
      const body = `${JSON.stringify({ error: 'bad_request', message: 'malformed HTTP request' })}\n`;
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  });

  return {
    server,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    inFlight: () => active,
    close: async (deadlineMs) => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, deadlineMs);
          }),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
