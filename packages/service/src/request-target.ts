/**
 * A request target made only of characters that WHATWG URL parsing keeps as they are in a path: no
 * query, no fragment, no backslash, nothing it would percent-encode, and not `//` (which would parse as
 * a host). Dot segments are excluded separately.
 */
const PLAIN_PATH = /^\/(?!\/)[\w\-~!$&'()*+,;=:@/%.]*$/;
const ENCODED_DOT = /%2e/i;

/**
 * The pathname `new URL(target, base)` would give, computed without building a URL, for the plain
 * targets that make up nearly all requests (`/kv/my-key`); undefined for anything else (a query, a dot
 * segment, characters URL would encode), which the caller then parses in full. Saves building a URL
 * (about 0.4 µs, against 0.06 µs for this check) on every request whose handler does not read it.
 */
export function plainPathname(target: string): string | undefined {
  if (!PLAIN_PATH.test(target) || target.includes('/.') || ENCODED_DOT.test(target)) return undefined;
  return target;
}
