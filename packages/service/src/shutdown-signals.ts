import type { Logger } from './json-logger.js';

/**
 * Runs `shutdown` on the first SIGINT or SIGTERM. Later signals are logged and ignored: a terminal's
 * Ctrl-C reaches every process of the group, and a supervisor may forward the same signal again, so a
 * second signal must not cut a graceful shutdown short (SIGKILL remains for that).
 */
export function onShutdownSignal(logger: Logger, shutdown: (signal: NodeJS.Signals) => void): () => void {
  let received: NodeJS.Signals | undefined;
  const listener = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      logger.info('already shutting down', { signal, first: received });
      return;
    }
    received = signal;
    logger.info('shutting down', { signal });
    shutdown(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
