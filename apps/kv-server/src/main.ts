import { readPackageVersion, runServiceCli } from '@raft/service';
import { startKvServer } from './kv-server.js';
import { ENV_PREFIX, KV_SETTINGS, resolveKvConfig } from './kv-settings.js';

const SUMMARY =
  'raft-kv: a replicated key-value server. Every node serves the HTTP API (PUT/GET/DELETE /kv/{key}, GET /kv,\n' +
  'GET /cluster, /healthz, /readyz, /metrics); writes go through Raft and survive the loss of a minority.';

/**
 * Runs the `raft-kv` command in this process: parses flags, environment and config file, starts the
 * node and stops it gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 after a
 * failure, 2 for invalid settings.
 */
export function runCli(argv = process.argv.slice(2), env = process.env): Promise<void> {
  return runServiceCli(
    {
      name: 'raft-kv',
      summary: SUMMARY,
      version: readPackageVersion(new URL('../package.json', import.meta.url)),
      settings: KV_SETTINGS,
      envPrefix: ENV_PREFIX,
      resolve: resolveKvConfig,
      start: startKvServer,
    },
    argv,
    env,
  );
}
