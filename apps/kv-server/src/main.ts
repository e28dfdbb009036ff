import { readFileSync } from 'node:fs';
import { type KvServer, startKvServer } from './kv-server.js';
import { ENV_PREFIX, KV_SETTINGS, resolveKvConfig } from './kv-settings.js';
import { ConfigError } from './service/config-error.js';
import { formatUsage, loadSettings } from './service/config-loader.js';
import { createJsonLogger } from './service/json-logger.js';
import { onShutdownSignal } from './service/shutdown-signals.js';

/** The version in this package's package.json. */
export function kvServerVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const SUMMARY =
  'raft-kv: a replicated key-value server. Every node serves the HTTP API (PUT/GET/DELETE /kv/{key}, GET /kv,\n' +
  'GET /cluster, /healthz, /readyz, /metrics); writes go through Raft and survive the loss of a minority.';

/**
 * Runs the `raft-kv` command in this process: parses flags, environment and config file, starts the
 * node and stops it gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 after a
 * failure, 2 for invalid settings.
 */
export async function runCli(argv = process.argv.slice(2), env = process.env): Promise<void> {
  let config: ReturnType<typeof resolveKvConfig>;
  try {
    const settings = loadSettings(KV_SETTINGS, { argv, env, envPrefix: ENV_PREFIX });
    if (settings.get('help') === true) {
      process.stdout.write(`${formatUsage('raft-kv', SUMMARY, KV_SETTINGS, ENV_PREFIX)}\n`);
      return;
    }
    if (settings.get('version') === true) {
      process.stdout.write(`raft-kv ${kvServerVersion()}\n`);
      return;
    }
    config = resolveKvConfig(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`raft-kv: ${error.message}\nRun raft-kv --help for every flag.\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createJsonLogger(config.logLevel).child({ node: config.id });
  let server: KvServer | undefined;
  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    void (async () => {
      try {
        await server?.close();
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
    server = await startKvServer(config, logger, (error) => {
      logger.error('node failed; exiting', { error, cause: error.cause });
      exit(1);
    });
  } catch (error) {
    logger.error('cannot start', { error });
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  logger.info('started', { startupMs: Math.round(performance.now() - startedAt) });
  if (exiting) await server.close();
}
