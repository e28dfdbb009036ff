/** A flag, environment variable or config file value that cannot work; the CLI exits with status 2. */
export class ConfigError extends Error {
  readonly code = 'RAFT_SERVICE_CONFIG';
  override readonly name = 'ConfigError';
}
