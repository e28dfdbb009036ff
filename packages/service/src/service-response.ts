import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

type HeaderValue = string | number | readonly string[];
type GivenHeaders = OutgoingHttpHeaders | readonly HeaderValue[] | undefined;

/** Whether `headers`, as passed to `writeHead`, names `name` (lower case), in any letter case. */
function names(headers: GivenHeaders, name: string): boolean {
  if (headers === undefined) return false;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return true;
    }
    return false;
  }
  for (const key in headers) if (key.toLowerCase() === name) return true;
  return false;
}

/** Appends `headers`, as passed to `writeHead`, to a flat name/value list. */
function appendHeaders(flat: HeaderValue[], headers: GivenHeaders): void {
  if (headers === undefined) return;
  if (Array.isArray(headers)) {
    for (const item of headers) flat.push(item);
    return;
  }
  const record = headers as OutgoingHttpHeaders;
  for (const key in record) {
    const value = record[key];
    if (value !== undefined) flat.push(key, value);
  }
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
    appendHeaders(flat, given);
    return this.writeHeadAs(statusCode, hasMessage ? [rest[0], flat] : [flat]);
  }

  private writeHeadAs(statusCode: number, rest: unknown[]): this {
    return (super.writeHead as (code: number, ...more: unknown[]) => this)(statusCode, ...rest);
  }
}
