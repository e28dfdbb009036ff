import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler receives. */
export interface RequestContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** For a prefix route (`/kv/*`): the raw (still percent-encoded) rest of the path after the prefix. */
  readonly rest: string;
}

export type RouteHandler = (context: RequestContext) => Promise<void> | void;

/** A route: an exact path (`/cluster`) or a prefix ending in `*` (`/kv/*`), and a handler per method. */
export interface Route {
  readonly path: string;
  readonly methods: Readonly<Record<string, RouteHandler>>;
}

/** The outcome of matching a request against the routes. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly handler: RouteHandler; readonly rest: string }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

/** Finds the handler for a method and path; HEAD is not implied by GET (kept explicit). */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  for (const route of routes) {
    let rest: string;
    if (route.path.endsWith('*')) {
      const prefix = route.path.slice(0, -1);
      if (!pathname.startsWith(prefix)) continue;
      rest = pathname.slice(prefix.length);
    } else if (route.path === pathname) {
      rest = '';
    } else {
      continue;
    }
    const handler = route.methods[method];
    if (handler === undefined) return { kind: 'method-not-allowed', allow: Object.keys(route.methods) };
    return { kind: 'found', handler, rest };
  }
  return { kind: 'not-found' };
}
