import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

type HeaderValue = string | number | readonly string[];
/** What `writeHead` takes: an object, a flat name/value list, or a list of [name, value] pairs. */
type GivenHeaders =
  | OutgoingHttpHeaders
  | readonly HeaderValue[]
  | readonly (readonly HeaderValue[])[]
  | undefined;

/** Calls `visit` with each name and value of `headers`, in whichever form `writeHead` was given them. */
function eachHeader(headers: GivenHeaders, visit: (name: string, value: HeaderValue) => void): void {
  if (headers === undefined) return;
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) {
      for (const pair of headers as readonly (readonly HeaderValue[])[]) visit(String(pair[0]), pair[1]!);
    } else {
      const flat = headers as readonly HeaderValue[];
      for (let i = 0; i + 1 < flat.length; i += 2) visit(String(flat[i]), flat[i + 1]!);
    }
    return;
  }
  const record = headers as OutgoingHttpHeaders;
  for (const name in record) {
    const value = record[name];
    if (value !== undefined) visit(name, value);
  }
}

/** Whether `headers` names `name` (lower case), in any letter case. */
function names(headers: GivenHeaders, name: string): boolean {
  let found = false;
  eachHeader(headers, (key) => {
    if (key.toLowerCase() === name) found = true;
  });
  return found;
}

/**
 * The response class of {@link createHttpService}'s server. It carries the service's common headers
 * (Raft-Leader) and adds them in `writeHead`, which every response goes through (`end()` without
 * `writeHead` calls it too), in the same list as the handler's headers. Setting them beforehand with
 * `setHeader` would make Node merge two header sets on every response: about 2.5 µs more per request
 * in a bare server (tooling/bench/README.md). A header of the same name given by the handler, in
 * `writeHead` or with `setHeader`, wins over the common one, as before.
 */
export class ServiceResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  /** Headers to add at `writeHead`; cleared once added. */
  commonHeaders: Readonly<Record<string, string>> | undefined = undefined;

  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const common = this.commonHeaders;
    if (common === undefined) return this.writeHeadAs(statusCode, rest);
    this.commonHeaders = undefined;
    const hasMessage = typeof rest[0] === 'string';
    const given = (hasMessage ? rest[1] : rest[0]) as GivenHeaders;
    const flat: HeaderValue[] = [];
    for (const name in common) {
      if (!this.hasHeader(name) && !names(given, name)) flat.push(name, common[name]!);
    }
    eachHeader(given, (name, value) => flat.push(name, value));
    return this.writeHeadAs(statusCode, hasMessage ? [rest[0], flat] : [flat]);
  }

  private writeHeadAs(statusCode: number, rest: unknown[]): this {
    return (super.writeHead as (code: number, ...more: unknown[]) => this)(statusCode, ...rest);
  }
}
