// Test support: a logger that records every line, so tests can assert on the logged reason codes.
import type { LogDetails, TransportLogger } from '../src/index.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: LogDetails;
}

export interface CapturingLogger extends TransportLogger {
  readonly lines: LogLine[];
  /** The `code` of every line that has one, in order. */
  codes(): string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const log =
    (level: LogLine['level']) =>
    (message: string, details: LogDetails = {}) => {
      lines.push({ level, message, details });
    };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    codes: () =>
      lines.flatMap((line) => (typeof line.details['code'] === 'string' ? [line.details['code']] : [])),
  };
}
