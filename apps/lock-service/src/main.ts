import { readPackageVersion, runServiceCli } from '@raft/service';
import { startLockServer } from './lock-server.js';
import { ENV_PREFIX, LOCK_SETTINGS, resolveLockConfig } from './lock-settings.js';

const SUMMARY =
  'raft-locks: a distributed lock service. Sessions with TTLs (POST /sessions, keepalive, DELETE), FIFO locks\n' +
  'with fencing tokens (POST /locks/{name}/acquire|release, GET /locks/{name}) and GET /cluster, /healthz,\n' +
  '/readyz, /metrics on every node; every change goes through Raft and survives the loss of a minority.';

/**
 * Runs the `raft-locks` command in this process: parses flags, environment and config file, starts the
 * node and stops it gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 after a
 * failure, 2 for invalid settings.
 */
export function runCli(argv = process.argv.slice(2), env = process.env): Promise<void> {
  return runServiceCli(
    {
      name: 'raft-locks',
      summary: SUMMARY,
      version: readPackageVersion(new URL('../package.json', import.meta.url)),
      settings: LOCK_SETTINGS,
      envPrefix: ENV_PREFIX,
      resolve: resolveLockConfig,
      start: startLockServer,
    },
    argv,
    env,
  );
}
