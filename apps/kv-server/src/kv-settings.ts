import { ConfigError } from './service/config-error.js';
import type { RawSettings, SettingSpec } from './service/config-loader.js';
import { type HostPort, parseHostPort, parseInteger, parsePeers, parseUrl } from './service/config-values.js';
import { LOG_LEVELS, type LogLevel } from './service/json-logger.js';

/** Environment variables of raft-kv start with this: `RAFT_KV_DATA_DIR` is `--data-dir`. */
export const ENV_PREFIX = 'RAFT_KV_';

/** Every flag of `raft-kv`, in the order `--help` lists them. */
export const KV_SETTINGS: readonly SettingSpec[] = [
  {
    name: 'id',
    type: 'string',
    valueName: 'ID',
    description: "This node's id: stable across restarts, unique in the cluster. Required.",
  },
  {
    name: 'data-dir',
    type: 'string',
    valueName: 'DIR',
    description: 'LevelDB storage and cluster file of this node; created if missing. Required.',
  },
  {
    name: 'client-listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description: 'Where the HTTP API listens (port 0 picks a free one).',
    defaultValue: '127.0.0.1:8080',
  },
  {
    name: 'peer-listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description: 'Where the Raft transport (WebSocket) listens.',
    defaultValue: '127.0.0.1:7070',
  },
  {
    name: 'peers',
    type: 'string',
    valueName: 'ID=ws://HOST:PORT,...',
    description:
      'The founding cluster, this node included (every founder gets the same list). Ignored once the data directory holds a cluster.',
  },
  {
    name: 'advertise-client',
    type: 'string',
    valueName: 'URL',
    description: 'The HTTP URL other nodes and clients use for this node. Default: from --client-listen.',
  },
  {
    name: 'advertise-peer',
    type: 'string',
    valueName: 'URL',
    description:
      "The ws:// URL of this node's Raft transport. Default: this node's entry in --peers, else from --peer-listen.",
  },
  {
    name: 'cluster-secret',
    type: 'string',
    valueName: 'S',
    description: 'Shared secret that authenticates every peer connection (HMAC). Required.',
    extraEnv: ['RAFT_CLUSTER_SECRET'],
  },
  {
    name: 'cluster-id',
    type: 'string',
    valueName: 'NAME',
    description: 'Name bound into every peer handshake: nodes of another cluster are refused.',
    defaultValue: 'raft-kv',
  },
  {
    name: 'join',
    type: 'string',
    valueName: 'URL',
    description:
      'Join a running cluster through one of its members (not available yet: needs membership changes in core).',
  },
  {
    name: 'snapshot-every',
    type: 'string',
    valueName: 'N',
    description: 'Snapshot the state machine (and compact the log) every N applied entries.',
    defaultValue: '10000',
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    description: 'debug, info, warn or error. Logs are JSON lines on stdout.',
    defaultValue: 'info',
  },
  {
    name: 'tick-ms',
    type: 'string',
    valueName: 'MS',
    description: 'Milliseconds per Raft tick (heartbeat interval).',
    defaultValue: '100',
  },
  {
    name: 'election-ticks',
    type: 'string',
    valueName: 'N',
    description:
      'Ticks before a follower without a leader campaigns; the timeout is drawn from [N, 2N) ticks.',
    defaultValue: '10',
  },
  {
    name: 'request-timeout-ms',
    type: 'string',
    valueName: 'MS',
    description:
      'Deadline of a write or a consistent read; a write past it answers 504 (outcome indeterminate).',
    defaultValue: '5000',
  },
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
  {
    name: 'config',
    type: 'string',
    valueName: 'FILE',
    description:
      'JSON file of settings, keys as flag names ({"id": "n1", "data-dir": "..."}); also RAFT_KV_CONFIG.',
    flagOnly: true,
  },
  { name: 'help', type: 'boolean', description: 'Print this help and exit.', flagOnly: true },
  { name: 'version', type: 'boolean', description: 'Print the version and exit.', flagOnly: true },
];

/** The validated configuration of one raft-kv node. */
export interface KvServerConfig {
  readonly id: string;
  readonly dataDir: string;
  readonly clientListen: HostPort;
  readonly peerListen: HostPort;
  readonly peers: ReadonlyMap<string, string> | undefined;
  readonly advertiseClient: string | undefined;
  readonly advertisePeer: string | undefined;
  readonly clusterSecret: string;
  readonly clusterId: string;
  readonly join: string | undefined;
  readonly snapshotEvery: number;
  readonly logLevel: LogLevel;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly requestTimeoutMs: number;
  readonly idempotencyTtlMs: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
}

function text(settings: RawSettings, name: string): string | undefined {
  const value = settings.get(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function required(settings: RawSettings, name: string): string {
  const value = text(settings, name);
  if (value === undefined) throw new ConfigError(`--${name} is required`);
  return value;
}

/** Validates raw settings into a {@link KvServerConfig}. @throws ConfigError naming the flag. */
export function resolveKvConfig(settings: RawSettings): KvServerConfig {
  const logLevel = required(settings, 'log-level');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const peersText = text(settings, 'peers');
  const joinText = text(settings, 'join');
  const advertiseClient = text(settings, 'advertise-client');
  const advertisePeer = text(settings, 'advertise-peer');
  const integer = (name: string, min: number, max?: number) =>
    parseInteger(name, required(settings, name), min, max);
  return {
    id: required(settings, 'id'),
    dataDir: required(settings, 'data-dir'),
    clientListen: parseHostPort('client-listen', required(settings, 'client-listen')),
    peerListen: parseHostPort('peer-listen', required(settings, 'peer-listen')),
    peers: peersText === undefined ? undefined : parsePeers('peers', peersText),
    advertiseClient:
      advertiseClient === undefined
        ? undefined
        : parseUrl('advertise-client', advertiseClient, ['http:', 'https:']),
    advertisePeer:
      advertisePeer === undefined ? undefined : parseUrl('advertise-peer', advertisePeer, ['ws:', 'wss:']),
    clusterSecret: required(settings, 'cluster-secret'),
    clusterId: required(settings, 'cluster-id'),
    join: joinText === undefined ? undefined : parseUrl('join', joinText, ['http:', 'https:']),
    snapshotEvery: integer('snapshot-every', 1),
    logLevel: logLevel as LogLevel,
    tickMs: integer('tick-ms', 1, 60_000),
    electionTicks: integer('election-ticks', 2, 1_000),
    requestTimeoutMs: integer('request-timeout-ms', 1, 3_600_000),
    idempotencyTtlMs: integer('idempotency-ttl-ms', 1),
    maxKeyBytes: integer('max-key-bytes', 1, 64 * 1024),
    maxValueBytes: integer('max-value-bytes', 0, 3 * 1024 * 1024),
  };
}
