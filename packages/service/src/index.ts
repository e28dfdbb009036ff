/**
 * @raft/service: the building blocks of a replicated HTTP service on Raft, shared by `raft-kv` and
 * `raft-locks`. A service supplies its state machine and routes; this package gives it a started node
 * (LevelDB storage, authenticated WebSocket transport, Prometheus metrics), the shared command-line
 * flags (also from environment and a JSON file), structured JSON logs, an HTTP server with routing and
 * typed errors, the operations routes (`/cluster`, `/healthz`, `/readyz`, `/metrics`) and graceful
 * shutdown.
 */
export type { ClusterFile } from './cluster-file.js';
export { readClusterFile, writeClusterFile } from './cluster-file.js';
export type { HttpJoinOptions } from './cluster-join.js';
export { fetchClusterPeers, joinOverHttp } from './cluster-join.js';
export type { ClusterNode, ClusterNodeSettings } from './cluster-node.js';
export { startClusterNode } from './cluster-node.js';
export { ConfigError } from './config-error.js';
export type { ConfigSources, RawSettings, SettingSpec } from './config-loader.js';
export { envName, formatUsage, loadSettings } from './config-loader.js';
export type { HostPort } from './config-values.js';
export { parseHostPort, parseInteger, parsePeers, parseUrl, urlFor } from './config-values.js';
export { type ReadBodyOptions, readBody } from './http-body.js';
export { HttpError } from './http-error.js';
export type { RequestContext, Route, RouteHandler, RouteMatch } from './http-router.js';
export { matchRoute } from './http-router.js';
export type { HttpService, HttpServiceOptions } from './http-service.js';
export { createHttpService, sendJson } from './http-service.js';
export type { JoinClaim } from './join-proof.js';
export { JOIN_PROOF_HEADER, JOIN_PROOF_WINDOW_MS, joinProof, verifyJoinProof } from './join-proof.js';
export { readJsonObject } from './json-body.js';
export type { Logger, LogLevel } from './json-logger.js';
export { createJsonLogger, LOG_LEVELS } from './json-logger.js';
export type { MemberAnnouncement } from './member-announcer.js';
export { announceMember } from './member-announcer.js';
export type { MembershipRouteOptions } from './membership-routes.js';
export { membershipRoutes } from './membership-routes.js';
export type { MemberView, OpsRouteOptions } from './ops-routes.js';
export { describeCluster, isReady, opsRoutes } from './ops-routes.js';
export { readPackageVersion } from './package-version.js';
export type {
  LogLine,
  ProcessCluster,
  ProcessClusterOptions,
  ProcessExit,
  ProcessNodeSpec,
  ServiceProcess,
} from './process-cluster.js';
export {
  ConditionTimeoutError,
  freePort,
  getJson,
  isAlive,
  processCluster,
  spawnService,
  stopProcess,
  waitUntil,
} from './process-cluster.js';
export { noLeaderError, raftErrorToHttp } from './raft-http-errors.js';
export type { ReadConsistency } from './raft-requests.js';
export { parseReadConsistency, proposeCommand, readBarrier } from './raft-requests.js';
export type { ClosableService, ServiceCliOptions } from './service-cli.js';
export { runServiceCli } from './service-cli.js';
export type { AnnouncedAddresses, ServiceNode, ServiceNodeOptions } from './service-node.js';
export { startServiceNode } from './service-node.js';
export { ServiceResponse } from './service-response.js';
export type { ServiceConfig, ServiceSettingsDefaults } from './service-settings.js';
export {
  cliSettings,
  integerSetting,
  optionalSetting,
  requiredSetting,
  resolveServiceConfig,
  serviceSettings,
} from './service-settings.js';
export { onShutdownSignal } from './shutdown-signals.js';
