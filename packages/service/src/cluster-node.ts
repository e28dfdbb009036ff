import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  createRaftNode,
  type Observer,
  type RaftEvent,
  type RaftNode,
  type RaftNodeOptions,
  type StateMachine,
  StoppedError,
} from '@raft/core';
import { combineObservers, type RaftInstrumentation, raftInstrumentation } from '@raft/otel';
import { type LevelStorage, openLevelStorage } from '@raft/storage-level';
import { type WebSocketTransport, webSocketTransport } from '@raft/transport-ws';
import { type ClusterFile, readClusterFile, writeClusterFile } from './cluster-file.js';
import { fetchClusterPeers, joinOverHttp } from './cluster-join.js';
import { ConfigError } from './config-error.js';
import { type HostPort, urlFor } from './config-values.js';
import type { Logger } from './json-logger.js';

/** How to start one member: identity, storage, transport, timing. */
export interface ClusterNodeSettings {
  readonly id: string;
  /** Holds the LevelDB store (`raft/`) and `cluster.json` (the peers' addresses). */
  readonly dataDir: string;
  readonly peerListen: HostPort;
  /** The founding members with their peer URLs (this node included); ignored once `dataDir` has a cluster. */
  readonly peers: ReadonlyMap<string, string> | undefined;
  /** A running cluster to join instead of founding one: the HTTP URL of any member. */
  readonly join: string | undefined;
  /** This node's peer URL as other members reach it; default its `peers` entry, else from `peerListen`. */
  readonly advertisePeer?: string | undefined;
  /** How long a join may take, catch-up included. Default 10 minutes. */
  readonly joinDeadlineMs?: number;
  readonly clusterId: string;
  readonly secret: string;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly requestTimeoutMs: number;
  /** Snapshot after this many applied entries (undefined: never). */
  readonly snapshotEvery: number | undefined;
}

/** A started member and what it is made of. */
export interface ClusterNode<Result> {
  readonly node: RaftNode<Result>;
  readonly storage: LevelStorage;
  readonly transport: WebSocketTransport;
  /** Peer addresses by member id (from `--peers` on first start, from `cluster.json` afterwards). */
  readonly peers: ReadonlyMap<string, string>;
  /** Serves `GET /metrics` (Prometheus text format). */
  readonly metrics: PrometheusExporter;
  /** Stops the node, ends its instrumentation and closes storage. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Resolves the cluster file: the data directory's if it has one; else a founder's from `--peers`, or a
 * joiner's from the members `--join` lists (then the join itself runs once the node is up).
 */
async function resolveClusterFile(settings: ClusterNodeSettings, logger: Logger): Promise<ClusterFile> {
  const existing = await readClusterFile(settings.dataDir);
  if (existing !== undefined) {
    if (existing.id !== settings.id) {
      throw new ConfigError(`${settings.dataDir} belongs to node "${existing.id}", not "${settings.id}"`);
    }
    if (settings.peers !== undefined && !sameBook(settings.peers, existing.peers)) {
      logger.warn('--peers ignored: the data directory already holds a cluster', {
        dataDir: settings.dataDir,
        peers: Object.fromEntries(existing.peers),
      });
    }
    if (settings.join !== undefined && existing.joining === undefined) {
      logger.warn('--join ignored: the data directory already holds a cluster', {
        dataDir: settings.dataDir,
      });
    }
    return existing;
  }
  if (settings.join !== undefined) {
    if (settings.peers !== undefined) {
      throw new ConfigError('--peers founds a cluster and --join joins a running one: give only one');
    }
    const peers = await fetchClusterPeers(settings.join);
    if (peers.has(settings.id)) {
      throw new ConfigError(
        `"${settings.id}" is still a member of the cluster behind ${settings.join}: remove it first ` +
          `(DELETE /cluster/members/${settings.id}) or join under a new id`,
      );
    }
    peers.set(settings.id, settings.advertisePeer ?? urlFor('ws', settings.peerListen));
    const file: ClusterFile = {
      id: settings.id,
      clusterId: settings.clusterId,
      peers,
      founder: false,
      joining: settings.join,
    };
    await writeClusterFile(settings.dataDir, file);
    return file;
  }
  if (settings.peers === undefined) {
    throw new ConfigError(
      `--peers is required to found a cluster in a new data directory (${settings.dataDir}), or --join to join a running one`,
    );
  }
  if (!settings.peers.has(settings.id))
    throw new ConfigError(`--peers must include this node ("${settings.id}")`);
  const file: ClusterFile = {
    id: settings.id,
    clusterId: settings.clusterId,
    peers: settings.peers,
    founder: true,
  };
  await writeClusterFile(settings.dataDir, file);
  return file;
}

/** The node's events worth a log line: role changes, snapshots, failure. */
function logEvents(raftLogger: Logger): Observer {
  return Object.assign(
    (event: RaftEvent) => {
      if (event.type === 'role-changed') {
        raftLogger.info('role changed', { role: event.role, term: event.term, leader: event.leader });
      } else if (event.type === 'snapshot-created' || event.type === 'snapshot-installed') {
        raftLogger.info(event.type === 'snapshot-created' ? 'snapshot taken' : 'snapshot installed', {
          index: event.index,
          term: event.term,
          bytes: event.bytes,
          durationMs: Math.round(event.durationMs),
        });
      } else if (event.type === 'node-failed') {
        raftLogger.error('node failed', { error: event.error, cause: event.error.cause });
      }
    },
    // It ignores proposal-started: let the instrumentation decide whether core builds it at all.
    { wantsProposalStarted: () => false },
  );
}

/**
 * Runs the join of a node whose cluster file says one is under way, in the background: on success the
 * file forgets the join; on failure `onFailure` runs (the node is useless outside the cluster).
 */
function resumeJoin(
  settings: ClusterNodeSettings,
  file: ClusterFile,
  logger: Logger,
  onFailure: (error: StoppedError) => void,
): AbortController {
  const abort = new AbortController();
  const joinUrl = file.joining as string;
  const address = file.peers.get(settings.id) ?? urlFor('ws', settings.peerListen);
  logger.info('joining the cluster', { via: joinUrl, address });
  joinOverHttp({
    id: settings.id,
    address,
    joinUrl,
    clusterId: settings.clusterId,
    secret: settings.secret,
    deadlineMs: settings.joinDeadlineMs ?? 10 * 60_000,
    signal: abort.signal,
  }).then(
    async (config) => {
      await writeClusterFile(settings.dataDir, { ...file, joining: undefined });
      logger.info('joined the cluster', { voters: config.voters, learners: config.learners });
    },
    (error: unknown) => {
      if (abort.signal.aborted) return;
      logger.error('could not join the cluster', { error });
      onFailure(new StoppedError(`could not join the cluster through ${joinUrl}`, { cause: error }));
    },
  );
  return abort;
}

function sameBook(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([id, url]) => b.get(id) === url);
}

/**
 * Opens storage, creates the WebSocket transport and the node with Prometheus-backed `raft.*` metrics and
 * role changes logged, and starts it. Shared by every server app: only the state machine differs.
 *
 * @throws ConfigError for a data directory of another node, neither `--peers` nor `--join` in a new one,
 * both, a `--join` member that cannot be asked, or an id the cluster still has;
 * StorageLockedError (`RAFT_STORAGE_LOCKED`) when another process holds the directory.
 */
export async function startClusterNode<Result>(
  settings: ClusterNodeSettings,
  stateMachine: StateMachine<Result>,
  logger: Logger,
  onFatalError: (error: StoppedError) => void,
): Promise<ClusterNode<Result>> {
  await mkdir(settings.dataDir, { recursive: true });
  const file = await resolveClusterFile(settings, logger);
  const peers = file.peers;
  const storage = await openLevelStorage({ directory: join(settings.dataDir, 'raft') });
  const metrics = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [metrics] });
  let instrumentation: RaftInstrumentation | undefined;
  try {
    instrumentation = raftInstrumentation({
      nodeId: settings.id,
      meterProvider,
      attributes: { 'raft.cluster.id': settings.clusterId },
    });
    const transportLogger = logger.child({ component: 'transport' });
    const transport = webSocketTransport(
      {
        id: settings.id,
        listen: settings.peerListen,
        peers,
        clusterId: settings.clusterId,
        secret: settings.secret,
      },
      {
        logger: {
          debug: (msg, details) => transportLogger.debug(msg, details),
          info: (msg, details) => transportLogger.info(msg, details),
          warn: (msg, details) => transportLogger.warn(msg, details),
          error: (msg, details) => transportLogger.error(msg, details),
        },
        observer: instrumentation.observer,
      },
    );
    const raftLogger = logger.child({ component: 'raft' });
    const options: RaftNodeOptions<Result> = {
      id: settings.id,
      storage,
      transport,
      stateMachine,
      // A joiner never bootstraps: with empty storage it waits for the leader to add it.
      ...(file.founder ? { initialMembers: [...peers.keys()] } : {}),
      peers,
      tickMs: settings.tickMs,
      raft: { electionTicks: settings.electionTicks },
      requestTimeoutMs: settings.requestTimeoutMs,
      // Core snapshots whenever the state machine and the storage both support it.
      snapshot: settings.snapshotEvery === undefined ? false : { everyEntries: settings.snapshotEvery },
      observer: combineObservers(instrumentation.observer, logEvents(raftLogger)),
      onFatalError,
    };
    const node = createRaftNode(options);
    await node.start();
    const joining = file.joining === undefined ? undefined : resumeJoin(settings, file, logger, onFatalError);
    let stopped: Promise<void> | undefined;
    const activeInstrumentation = instrumentation;
    return {
      node,
      storage,
      transport,
      peers,
      metrics,
      stop: () => {
        stopped ??= (async () => {
          joining?.abort();
          await node.stop();
          activeInstrumentation.shutdown();
          await meterProvider.shutdown();
          await storage.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    instrumentation?.shutdown();
    await meterProvider.shutdown().catch(() => {});
    await storage.close().catch(() => {});
    throw error;
  }
}
