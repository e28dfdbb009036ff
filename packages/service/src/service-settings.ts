import { ConfigError } from './config-error.js';
import type { RawSettings, SettingSpec } from './config-loader.js';
import { envName } from './config-loader.js';
import { type HostPort, parseHostPort, parseInteger, parsePeers, parseUrl } from './config-values.js';
import { LOG_LEVELS, type LogLevel } from './json-logger.js';

/** What differs between services in the shared flags: their defaults and environment prefix. */
export interface ServiceSettingsDefaults {
  /** Environment variables start with this: `RAFT_KV_` makes `--data-dir` read `RAFT_KV_DATA_DIR`. */
  readonly envPrefix: string;
  /** Default `--cluster-id`, e.g. the service's name. */
  readonly clusterId: string;
  /** Default `--client-listen`, `HOST:PORT`. */
  readonly clientListen: string;
  /** Default `--peer-listen`, `HOST:PORT`. */
  readonly peerListen: string;
}

/**
 * The flags every Raft service shares (identity, addresses, cluster, security, timing), in the order
 * `--help` lists them. A service appends its own, then {@link cliSettings}.
 */
export function serviceSettings(defaults: ServiceSettingsDefaults): SettingSpec[] {
  return [
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
      defaultValue: defaults.clientListen,
    },
    {
      name: 'peer-listen',
      type: 'string',
      valueName: 'HOST:PORT',
      description: 'Where the Raft transport (WebSocket) listens.',
      defaultValue: defaults.peerListen,
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
      defaultValue: defaults.clusterId,
    },
    {
      name: 'join',
      type: 'string',
      valueName: 'URL',
      description:
        "Join a running cluster through any member's HTTP URL (first start only, empty data directory, instead of --peers): the node is added as a learner, catches up, and is promoted to voter.",
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
  ];
}

/** The command-line-only switches every service ends its flag list with: `--config`, `--help`, `--version`. */
export function cliSettings(envPrefix: string): SettingSpec[] {
  return [
    {
      name: 'config',
      type: 'string',
      valueName: 'FILE',
      description: `JSON file of settings, keys as flag names ({"id": "n1", "data-dir": "..."}); also ${envName(envPrefix, 'config')}.`,
      flagOnly: true,
    },
    { name: 'help', type: 'boolean', description: 'Print this help and exit.', flagOnly: true },
    { name: 'version', type: 'boolean', description: 'Print the version and exit.', flagOnly: true },
  ];
}

/** The validated shared settings of one service node. */
export interface ServiceConfig {
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
}

/** A setting's value when set to a non-empty string. */
export function optionalSetting(settings: RawSettings, name: string): string | undefined {
  const value = settings.get(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A setting's value. @throws ConfigError naming the flag when it is missing. */
export function requiredSetting(settings: RawSettings, name: string): string {
  const value = optionalSetting(settings, name);
  if (value === undefined) throw new ConfigError(`--${name} is required`);
  return value;
}

/** A required integer setting within [min, max]. @throws ConfigError naming the flag. */
export function integerSetting(settings: RawSettings, name: string, min: number, max?: number): number {
  return parseInteger(name, requiredSetting(settings, name), min, max);
}

/** Validates the shared settings (see {@link serviceSettings}). @throws ConfigError naming the flag. */
export function resolveServiceConfig(settings: RawSettings): ServiceConfig {
  const logLevel = requiredSetting(settings, 'log-level');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const peersText = optionalSetting(settings, 'peers');
  const joinText = optionalSetting(settings, 'join');
  const advertiseClient = optionalSetting(settings, 'advertise-client');
  const advertisePeer = optionalSetting(settings, 'advertise-peer');
  return {
    id: requiredSetting(settings, 'id'),
    dataDir: requiredSetting(settings, 'data-dir'),
    clientListen: parseHostPort('client-listen', requiredSetting(settings, 'client-listen')),
    peerListen: parseHostPort('peer-listen', requiredSetting(settings, 'peer-listen')),
    peers: peersText === undefined ? undefined : parsePeers('peers', peersText),
    advertiseClient:
      advertiseClient === undefined
        ? undefined
        : parseUrl('advertise-client', advertiseClient, ['http:', 'https:']),
    advertisePeer:
      advertisePeer === undefined ? undefined : parseUrl('advertise-peer', advertisePeer, ['ws:', 'wss:']),
    clusterSecret: requiredSetting(settings, 'cluster-secret'),
    clusterId: requiredSetting(settings, 'cluster-id'),
    join: joinText === undefined ? undefined : parseUrl('join', joinText, ['http:', 'https:']),
    snapshotEvery: integerSetting(settings, 'snapshot-every', 1),
    logLevel: logLevel as LogLevel,
    tickMs: integerSetting(settings, 'tick-ms', 1, 60_000),
    electionTicks: integerSetting(settings, 'election-ticks', 2, 1_000),
    requestTimeoutMs: integerSetting(settings, 'request-timeout-ms', 1, 3_600_000),
  };
}
