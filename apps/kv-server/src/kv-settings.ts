import {
  cliSettings,
  integerSetting,
  type RawSettings,
  resolveServiceConfig,
  type ServiceConfig,
  type SettingSpec,
  serviceSettings,
} from '@raft/service';

/** Environment variables of raft-kv start with this: `RAFT_KV_DATA_DIR` is `--data-dir`. */
export const ENV_PREFIX = 'RAFT_KV_';

/** Every flag of `raft-kv`, in the order `--help` lists them: the shared service flags, then the store's. */
export const KV_SETTINGS: readonly SettingSpec[] = [
  ...serviceSettings({
    envPrefix: ENV_PREFIX,
    clusterId: 'raft-kv',
    clientListen: '127.0.0.1:8080',
    peerListen: '127.0.0.1:7070',
  }),
  {
    name: 'idempotency-ttl-ms',
    type: 'string',
    valueName: 'MS',
    description: 'How long an Idempotency-Key is remembered.',
    defaultValue: '86400000',
  },
  {
    name: 'max-key-bytes',
    type: 'string',
    valueName: 'N',
    description: 'Longest key in UTF-8 bytes (longer: 400).',
    defaultValue: '1024',
  },
  {
    name: 'max-value-bytes',
    type: 'string',
    valueName: 'N',
    description: 'Largest value in bytes (larger: 413).',
    defaultValue: '1048576',
  },
  ...cliSettings(ENV_PREFIX),
];

/** The validated configuration of one raft-kv node. */
export interface KvServerConfig extends ServiceConfig {
  readonly idempotencyTtlMs: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
}

/** Validates raw settings into a {@link KvServerConfig}. @throws ConfigError naming the flag. */
export function resolveKvConfig(settings: RawSettings): KvServerConfig {
  return {
    ...resolveServiceConfig(settings),
    idempotencyTtlMs: integerSetting(settings, 'idempotency-ttl-ms', 1),
    maxKeyBytes: integerSetting(settings, 'max-key-bytes', 1, 64 * 1024),
    maxValueBytes: integerSetting(settings, 'max-value-bytes', 0, 3 * 1024 * 1024),
  };
}
