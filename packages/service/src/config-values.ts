import { ConfigError } from './config-error.js';

/** A host and a port to listen on. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `HOST:PORT` (`[::1]:80` for IPv6); port 0 lets the system pick. */
export function parseHostPort(setting: string, value: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || port > 65_535)
    throw new ConfigError(`--${setting} must be HOST:PORT, got "${value}"`);
  return { host: match[1] ?? match[2]!, port };
}

/** Parses an integer within [min, max]. */
export function parseInteger(
  setting: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new ConfigError(`--${setting} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

/** Parses a URL with one of the given protocols (`http:`, `ws:`...). */
export function parseUrl(setting: string, value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--${setting} must be a URL, got "${value}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`--${setting} must be a ${protocols.join(' or ')} URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** Parses `ID=ws://HOST:PORT,...` into an address book; ids are unique and non-empty. */
export function parsePeers(setting: string, value: string): Map<string, string> {
  const peers = new Map<string, string>();
  for (const item of value.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new ConfigError(`--${setting}: "${trimmed}" is not ID=URL`);
    const id = trimmed.slice(0, equals);
    if (peers.has(id)) throw new ConfigError(`--${setting}: "${id}" appears twice`);
    peers.set(id, parseUrl(setting, trimmed.slice(equals + 1), ['ws:', 'wss:']));
  }
  if (peers.size === 0) throw new ConfigError(`--${setting} names no member`);
  return peers;
}

/** `http://HOST:PORT` for a listen address; the unspecified addresses become loopback. */
export function urlFor(protocol: 'http' | 'ws', address: HostPort): string {
  const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host;
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
