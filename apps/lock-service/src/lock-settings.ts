import {
  ConfigError,
  cliSettings,
  integerSetting,
  type RawSettings,
  resolveServiceConfig,
  type ServiceConfig,
  type SettingSpec,
  serviceSettings,
} from '@raft/service';

/** Environment variables of raft-locks start with this: `RAFT_LOCKS_DATA_DIR` is `--data-dir`. */
export const ENV_PREFIX = 'RAFT_LOCKS_';

/** Every flag of `raft-locks`, in `--help` order: the shared service flags, then the lock service's. */
export const LOCK_SETTINGS: readonly SettingSpec[] = [
  ...serviceSettings({
    envPrefix: ENV_PREFIX,
    clusterId: 'raft-locks',
    clientListen: '127.0.0.1:8090',
    peerListen: '127.0.0.1:7090',
  }),
  {
    name: 'min-ttl-ms',
    type: 'string',
    valueName: 'MS',
    description:
      'Shortest session TTL a client may ask for. Keep it well above the election timeout: a session cannot be kept alive while no leader is elected.',
    defaultValue: '3000',
  },
  {
    name: 'max-ttl-ms',
    type: 'string',
    valueName: 'MS',
    description: 'Longest session TTL: how long the locks of a crashed client can stay held.',
    defaultValue: '600000',
  },
  {
    name: 'max-wait-ms',
    type: 'string',
    valueName: 'MS',
    description: 'Longest waitMs of an acquire (how long one request may wait in a queue).',
    defaultValue: '60000',
  },
  {
    name: 'max-lock-name-bytes',
    type: 'string',
    valueName: 'N',
    description: 'Longest lock name in UTF-8 bytes (longer: 400).',
    defaultValue: '256',
  },
  ...cliSettings(ENV_PREFIX),
];

/** The bounds the lock API enforces. */
export interface LockLimits {
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  readonly maxWaitMs: number;
  readonly maxLockNameBytes: number;
}

/** The validated configuration of one raft-locks node. */
export interface LockServiceConfig extends ServiceConfig, LockLimits {}

/** Validates raw settings into a {@link LockServiceConfig}. @throws ConfigError naming the flag. */
export function resolveLockConfig(settings: RawSettings): LockServiceConfig {
  const minTtlMs = integerSetting(settings, 'min-ttl-ms', 1, 86_400_000);
  const maxTtlMs = integerSetting(settings, 'max-ttl-ms', 1, 86_400_000);
  if (maxTtlMs < minTtlMs) throw new ConfigError('--max-ttl-ms must be at least --min-ttl-ms');
  return {
    ...resolveServiceConfig(settings),
    minTtlMs,
    maxTtlMs,
    maxWaitMs: integerSetting(settings, 'max-wait-ms', 0, 3_600_000),
    maxLockNameBytes: integerSetting(settings, 'max-lock-name-bytes', 1, 4_096),
  };
}
