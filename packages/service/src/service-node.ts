import type { StateMachine, StoppedError } from '@raft/core';
import { type ClusterNode, startClusterNode } from './cluster-node.js';
import { urlFor } from './config-values.js';
import type { Route } from './http-router.js';
import { createHttpService, type HttpService } from './http-service.js';
import type { Logger } from './json-logger.js';
import { announceMember } from './member-announcer.js';
import { membershipRoutes } from './membership-routes.js';
import { opsRoutes } from './ops-routes.js';
import type { ServiceConfig } from './service-settings.js';

/** In-flight requests get this long to finish on shutdown before their connections are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

/** The addresses a member publishes through the log. */
export interface AnnouncedAddresses {
  readonly clientUrl: string;
  readonly peerUrl: string;
}

/** What a service adds to {@link startServiceNode}: its state machine, routes and address records. */
export interface ServiceNodeOptions<Result> {
  readonly config: ServiceConfig;
  readonly stateMachine: StateMachine<Result>;
  readonly logger: Logger;
  readonly onFatalError: (error: StoppedError) => void;
  /**
   * The service's own routes; the operations routes (`/cluster`, `/healthz`, `/readyz`, `/metrics`) and
   * the membership routes follow them.
   */
  routes(cluster: ClusterNode<Result>): readonly Route[];
  /** The addresses each member announced, as the replicated state holds them. */
  members(): ReadonlyMap<string, AnnouncedAddresses>;
  /** The service's command that records `member`'s addresses in the replicated state. */
  announceCommand(member: string, addresses: AnnouncedAddresses): Uint8Array;
  /** Runs first when the service closes (end long polls, stop background work). */
  onClose?(): void;
}

/** A started service node: the Raft member, its HTTP API and its advertised addresses. */
export interface ServiceNode<Result> {
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly cluster: ClusterNode<Result>;
  readonly http: HttpService;
  /**
   * Graceful stop: `onClose`, stop accepting requests, finish in-flight ones (up to 10 s), stop the node,
   * close storage. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts a replicated HTTP service node from the shared settings: the Raft member (see
 * `startClusterNode`, which also joins a running cluster with `--join`), an HTTP server with the service's
 * routes, the operations routes and the membership routes (`POST /cluster/join`,
 * `DELETE /cluster/members/{id}`), `Raft-Leader`
 * on every response, a `listening` log line with the URLs, and this node's addresses published through
 * the log (so `GET /cluster` on every node lists every member's client URL).
 */
export async function startServiceNode<Result>(
  options: ServiceNodeOptions<Result>,
): Promise<ServiceNode<Result>> {
  const { config, logger } = options;
  const cluster = await startClusterNode<Result>(
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
    options.stateMachine,
    logger,
    options.onFatalError,
  );
  const { node } = cluster;
  const peerUrl = config.advertisePeer ?? cluster.peers.get(config.id) ?? urlFor('ws', config.peerListen);
  let clientUrl = config.advertiseClient ?? '';
  const memberClientUrl = (id: string) =>
    id === config.id ? clientUrl : options.members().get(id)?.clientUrl;
  let http: HttpService;
  try {
    http = createHttpService({
      logger: logger.child({ component: 'http' }),
      commonHeaders: () => {
        const leader = node.leader();
        return leader === '' ? {} : { 'raft-leader': leader };
      },
      routes: [
        ...options.routes(cluster),
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
  const announcer = announceMember({
    node,
    isKnown: () => {
      const known = options.members().get(config.id);
      return known?.clientUrl === clientUrl && known.peerUrl === peerUrl;
    },
    command: () => options.announceCommand(config.id, { clientUrl, peerUrl }),
    logger,
  });
  let closing: Promise<void> | undefined;
  return {
    clientUrl,
    peerUrl,
    cluster,
    http,
    close: () => {
      closing ??= (async () => {
        announcer.stop();
        options.onClose?.();
        await http.close(SHUTDOWN_GRACE_MS);
        await cluster.stop();
        logger.info('stopped', { id: config.id });
      })();
      return closing;
    },
  };
}
