/** Severity of a log line, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Structured logging: one JSON object per line (`time`, `level`, `msg`, then the fields). */
export interface Logger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Readonly<Record<string, unknown>>): Logger;
}

/** Turns errors into plain objects so JSON.stringify keeps their message and code. */
function serialisable(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}

/**
 * A logger writing JSON lines at `level` and above to `write` (stdout by default). Field names `time`,
 * `level` and `msg` are reserved; errors in fields are reduced to name, message and code.
 */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  base: Readonly<Record<string, unknown>> = {},
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (lineLevel: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: lineLevel, msg };
    for (const [key, value] of Object.entries(base)) record[key] = serialisable(value);
    if (fields !== undefined)
      for (const [key, value] of Object.entries(fields)) record[key] = serialisable(value);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record['time'], level: lineLevel, msg, unserialisable: true });
    }
    write(`${line}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createJsonLogger(level, write, { ...base, ...fields }),
  };
}
