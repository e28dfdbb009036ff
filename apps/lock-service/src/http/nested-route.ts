import { HttpError, type RequestContext, type Route } from '@raft/service';

/** Handles `<prefix>/{id}` or `<prefix>/{id}/{action}`; `id` is percent-decoded. */
export type NestedHandler = (context: RequestContext, id: string) => Promise<void> | void;

/**
 * A route for `<prefix>/{id}` (action `''`) and `<prefix>/{id}/{action}`, with handlers per action and
 * method. `{id}` is one path segment (a `/` inside it is written `%2F`). Unknown actions and extra
 * segments answer 404 `not_found`; a known action with another method 405 with its `Allow`.
 */
export function nestedRoute(
  prefix: string,
  actions: Readonly<Record<string, Readonly<Record<string, NestedHandler>>>>,
): Route {
  // Every method reaches the handler, so a 405 lists what the matched action allows, not the whole route.
  const methods = new Set([
    ...['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    ...Object.values(actions).flatMap((handlers) => Object.keys(handlers)),
  ]);
  const handle = (method: string) => (context: RequestContext) => {
    const segments = context.rest.split('/');
    const [rawId = '', action = '', ...extra] = segments;
    const handlers = actions[action];
    if (
      rawId === '' ||
      extra.length > 0 ||
      handlers === undefined ||
      (segments.length === 2 && action === '')
    ) {
      throw new HttpError(404, 'not_found', `no route ${context.url.pathname}`);
    }
    const handler = handlers[method];
    if (handler === undefined) {
      throw new HttpError(
        405,
        'method_not_allowed',
        `${method} is not allowed on ${context.url.pathname}`,
        {},
        { allow: Object.keys(handlers).join(', ') },
      );
    }
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      throw new HttpError(400, 'bad_request', 'the path is not valid percent-encoded UTF-8');
    }
    return handler(context, id);
  };
  return {
    path: `${prefix}/*`,
    methods: Object.fromEntries([...methods].map((method) => [method, handle(method)])),
  };
}
