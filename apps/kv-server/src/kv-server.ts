import type { StoppedError } from '@raft/core';
import {
  type ClusterNode,
  createHttpService,
  type HttpService,
  type Logger,
  membershipRoutes,
  opsRoutes,
  startClusterNode,
  urlFor,
} from '@raft/service';
import { encodeKvCommand } from './kv/kv-command.js';
import { kvRoutes } from './kv/kv-routes.js';
import type { KvResult } from './kv/kv-state.js';
import { KvStateMachine } from './kv/kv-state-machine.js';
import type { KvServerConfig } from './kv-settings.js';

/** In-flight requests get this long to finish on shutdown before their connections are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A running raft-kv node. */
export interface KvServer {
  /** The URL this node advertises for its HTTP API. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly cluster: ClusterNode<KvResult>;
  readonly store: KvStateMachine;
  /**
   * Graceful stop: stop accepting requests, finish in-flight ones, stop the node, close storage.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts one raft-kv node: the replicated store on LevelDB, the WebSocket transport and the HTTP API.
 * `onFatalError` runs if the node fails (storage or state machine error); the server is then useless.
 */
export async function startKvServer(
  config: KvServerConfig,
  logger: Logger,
  onFatalError: (error: StoppedError) => void,
): Promise<KvServer> {
  const store = new KvStateMachine();
  const cluster = await startClusterNode<KvResult>(
    {
      id: config.id,
      dataDir: config.dataDir,
      peerListen: config.peerListen,
      peers: config.peers,
      join: config.join,
      advertisePeer: config.advertisePeer,
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
  const { node } = cluster;
  const peerUrl = config.advertisePeer ?? cluster.peers.get(config.id) ?? urlFor('ws', config.peerListen);
  let clientUrl = config.advertiseClient ?? '';
  const memberClientUrl = (id: string) => (id === config.id ? clientUrl : store.members().get(id)?.clientUrl);
  let http: HttpService;
  try {
    http = createHttpService({
      logger: logger.child({ component: 'http' }),
      commonHeaders: () => {
        const leader = node.status().leader;
        return leader === '' ? {} : { 'raft-leader': leader };
      },
      routes: [
        ...kvRoutes({
          node,
          store,
          limits: {
            maxKeyBytes: config.maxKeyBytes,
            maxValueBytes: config.maxValueBytes,
            requestTimeoutMs: config.requestTimeoutMs,
            idempotencyTtlMs: config.idempotencyTtlMs,
          },
        }),
        ...opsRoutes({
          node,
          metrics: cluster.metrics,
          peerUrls: cluster.peers,
          clientUrl: memberClientUrl,
        }),
        ...membershipRoutes({
          node,
          clusterId: config.clusterId,
          secret: config.clusterSecret,
          clientUrl: memberClientUrl,
        }),
      ],
    });
    const bound = await http.listen(config.clientListen.host, config.clientListen.port);
    clientUrl ||= urlFor('http', { host: config.clientListen.host, port: bound.port });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  logger.info('listening', { id: config.id, clientUrl, peerUrl, dataDir: config.dataDir });

  const announcer = announceAddresses(cluster, store, config.id, clientUrl, peerUrl, logger);
  let closing: Promise<void> | undefined;
  return {
    clientUrl,
    peerUrl,
    cluster,
    store,
    close: () => {
      closing ??= (async () => {
        announcer.stop();
        await http.close(SHUTDOWN_GRACE_MS);
        await cluster.stop();
        logger.info('stopped', { id: config.id });
      })();
      return closing;
    },
  };
}

/**
 * Publishes this node's addresses through the log (so `GET /cluster` on any node lists every member's
 * client URL) once a leader is known, unless the replicated state already has them. Retries until it
 * succeeds or the server stops.
 */
function announceAddresses(
  cluster: ClusterNode<KvResult>,
  store: KvStateMachine,
  id: string,
  clientUrl: string,
  peerUrl: string,
  logger: Logger,
): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<void> => {
    if (stopped) return;
    const known = store.members().get(id);
    if (known?.clientUrl === clientUrl && known.peerUrl === peerUrl) return;
    if (cluster.node.status().leader !== '') {
      try {
        await cluster.node.propose(
          encodeKvCommand({ type: 'announce', member: id, clientUrl, peerUrl, stamp: Date.now() }),
        );
        logger.debug('announced addresses', { clientUrl, peerUrl });
        return;
      } catch (error) {
        logger.debug('announcing addresses failed; will retry', { error });
      }
    }
    if (!stopped) timer = setTimeout(() => void attempt(), 200);
  };
  void attempt();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
