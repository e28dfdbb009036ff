import type { StoppedError } from '@raft/core';
import { ConfigError } from './config-error.js';
import { formatUsage, loadSettings, type RawSettings, type SettingSpec } from './config-loader.js';
import { createJsonLogger, type Logger } from './json-logger.js';
import type { ServiceConfig } from './service-settings.js';
import { onShutdownSignal } from './shutdown-signals.js';

/** A running service, as {@link runServiceCli} needs it: something to close gracefully. */
export interface ClosableService {
  /** Stop accepting requests, finish in-flight ones, stop the node, close storage. Idempotent. */
  close(): Promise<void>;
}

/** What makes one service's command: its name, flags and how to start it. */
export interface ServiceCliOptions<Config extends ServiceConfig, Service extends ClosableService> {
  /** The command name, e.g. `raft-kv`. */
  readonly name: string;
  /** The first lines of `--help`. */
  readonly summary: string;
  readonly version: string;
  /** Every flag, in `--help` order (usually `serviceSettings`, the service's own, `cliSettings`). */
  readonly settings: readonly SettingSpec[];
  readonly envPrefix: string;
  /** Validates raw settings. @throws ConfigError naming the flag. */
  resolve(settings: RawSettings): Config;
  /** Starts the service; `onFatalError` runs if the node fails later (the process then exits 1). */
  start(config: Config, logger: Logger, onFatalError: (error: StoppedError) => void): Promise<Service>;
}

/**
 * Runs a service command in this process: parses flags, environment and config file, starts the service
 * and stops it gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 after a failure,
 * 2 for invalid settings.
 */
export async function runServiceCli<Config extends ServiceConfig, Service extends ClosableService>(
  options: ServiceCliOptions<Config, Service>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const { name } = options;
  let config: Config;
  try {
    const settings = loadSettings(options.settings, { argv, env, envPrefix: options.envPrefix });
    if (settings.get('help') === true) {
      process.stdout.write(`${formatUsage(name, options.summary, options.settings, options.envPrefix)}\n`);
      return;
    }
    if (settings.get('version') === true) {
      process.stdout.write(`${name} ${options.version}\n`);
      return;
    }
    config = options.resolve(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\nRun ${name} --help for every flag.\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createJsonLogger(config.logLevel).child({ node: config.id });
  let service: Service | undefined;
  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    void (async () => {
      try {
        await service?.close();
      } catch (error) {
        logger.error('error while stopping', { error });
        code = code === 0 ? 1 : code;
      }
      process.exit(code);
    })();
  };
  onShutdownSignal(logger, () => exit(0));
  const startedAt = performance.now();
  try {
    service = await options.start(config, logger, (error) => {
      logger.error('node failed; exiting', { error, cause: error.cause });
      exit(1);
    });
  } catch (error) {
    logger.error('cannot start', { error });
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  logger.info('started', { startupMs: Math.round(performance.now() - startedAt) });
  if (exiting) await service.close();
}
