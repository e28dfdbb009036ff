import type { StoppedError } from '@raft/core';
import {
  announceMember,
  type ClusterNode,
  createHttpService,
  type HttpService,
  type Logger,
  opsRoutes,
  startClusterNode,
  urlFor,
} from '@raft/service';
import { lockRoutes } from './http/lock-routes.js';
import type { LockServiceConfig } from './lock-settings.js';
import { encodeLockCommand } from './locks/lock-command.js';
import type { LockResult } from './locks/lock-state.js';
import { LockStateMachine } from './locks/lock-state-machine.js';
import { type SessionExpiry, sessionExpiry } from './locks/session-expiry.js';

/** In-flight requests get this long to finish on shutdown before their connections are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A running raft-locks node. */
export interface LockServer {
  /** The URL this node advertises for its HTTP API. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly cluster: ClusterNode<LockResult>;
  readonly store: LockStateMachine;
  readonly expiry: SessionExpiry;
  /**
   * Graceful stop: waiting acquires answer 503, requests in flight finish, the node stops and storage
   * closes. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts one raft-locks node: the replicated lock table on LevelDB, the WebSocket transport, the leader's
 * session clock and the HTTP API. `onFatalError` runs if the node fails (storage or state machine error).
 */
export async function startLockServer(
  config: LockServiceConfig,
  logger: Logger,
  onFatalError: (error: StoppedError) => void,
): Promise<LockServer> {
  const store = new LockStateMachine();
  // Subscribed before the node starts, so the renewals replayed from the log on start count too.
  const expiry = sessionExpiry({
    node: {
      status: () => cluster.node.status(),
      propose: (data, options) => cluster.node.propose(data, options),
    },
    store,
    logger: logger.child({ component: 'sessions' }),
    checkEveryMs: Math.min(100, Math.max(10, config.tickMs)),
    lateAfterMs: Math.max(1_000, config.electionTicks * config.tickMs),
    requestTimeoutMs: config.requestTimeoutMs,
  });
  let cluster: ClusterNode<LockResult>;
  try {
    cluster = await startClusterNode<LockResult>(
      {
        id: config.id,
        dataDir: config.dataDir,
        peerListen: config.peerListen,
        peers: config.peers,
        join: config.join,
        clusterId: config.clusterId,
        secret: config.clusterSecret,
        tickMs: config.tickMs,
        electionTicks: config.electionTicks,
        requestTimeoutMs: config.requestTimeoutMs,
        snapshotEvery: config.snapshotEvery,
      },
      store,
      logger,
      onFatalError,
    );
  } catch (error) {
    expiry.stop();
    throw error;
  }
  expiry.start();
  const { node } = cluster;
  const peerUrl = config.advertisePeer ?? cluster.peers.get(config.id) ?? urlFor('ws', config.peerListen);
  let clientUrl = config.advertiseClient ?? '';
  const shutdown = new AbortController();
  let http: HttpService;
  try {
    http = createHttpService({
      logger: logger.child({ component: 'http' }),
      commonHeaders: () => {
        const leader = node.status().leader;
        return leader === '' ? {} : { 'raft-leader': leader };
      },
      routes: [
        ...lockRoutes({
          node,
          store,
          limits: config,
          requestTimeoutMs: config.requestTimeoutMs,
          shutdown: shutdown.signal,
        }),
        ...opsRoutes({
          node,
          metrics: cluster.metrics,
          peerUrls: cluster.peers,
          clientUrl: (id) => (id === config.id ? clientUrl : store.members().get(id)?.clientUrl),
        }),
      ],
    });
    const bound = await http.listen(config.clientListen.host, config.clientListen.port);
    clientUrl ||= urlFor('http', { host: config.clientListen.host, port: bound.port });
  } catch (error) {
    expiry.stop();
    await cluster.stop();
    throw error;
  }
  logger.info('listening', { id: config.id, clientUrl, peerUrl, dataDir: config.dataDir });

  const announcer = announceMember({
    node,
    isKnown: () => {
      const known = store.members().get(config.id);
      return known?.clientUrl === clientUrl && known.peerUrl === peerUrl;
    },
    command: () => encodeLockCommand({ op: 'announce', member: config.id, clientUrl, peerUrl }),
    logger,
  });
  let closing: Promise<void> | undefined;
  return {
    clientUrl,
    peerUrl,
    cluster,
    store,
    expiry,
    close: () => {
      closing ??= (async () => {
        announcer.stop();
        expiry.stop();
        shutdown.abort();
        await http.close(SHUTDOWN_GRACE_MS);
        await cluster.stop();
        logger.info('stopped', { id: config.id });
      })();
      return closing;
    },
  };
}
