/** Structured fields attached to a log line (peer id, remote address, reason code...). */
export type LogDetails = Readonly<Record<string, unknown>>;

/**
 * Where the transport writes what happens to its connections. Rejections and dead peers are `warn`,
 * routine reconnection noise is `debug`. Adapt your logger (pino, winston, console) to this shape.
 */
export interface TransportLogger {
  debug(message: string, details?: LogDetails): void;
  info(message: string, details?: LogDetails): void;
  warn(message: string, details?: LogDetails): void;
  error(message: string, details?: LogDetails): void;
}

/** The default logger: warnings and errors to the console, info and debug discarded. */
export function consoleLogger(): TransportLogger {
  return {
    debug() {},
    info() {},
    warn: (message, details) => console.warn(`[raft/transport-ws] ${message}`, details ?? ''),
    error: (message, details) => console.error(`[raft/transport-ws] ${message}`, details ?? ''),
  };
}
