import type { StoppedError } from '@raft/core';
import { type ClusterNode, type Logger, type ServiceNode, startServiceNode } from '@raft/service';
import { lockRoutes } from './http/lock-routes.js';
import type { LockServiceConfig } from './lock-settings.js';
import { encodeLockCommand } from './locks/lock-command.js';
import type { LockResult } from './locks/lock-state.js';
import { LockStateMachine } from './locks/lock-state-machine.js';
import { type SessionExpiry, sessionExpiry } from './locks/session-expiry.js';

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
  let service: ServiceNode<LockResult> | undefined;
  // Subscribed before the node starts, so the renewals replayed from the log on start count too.
  const expiry = sessionExpiry({
    node: {
      status: () => service!.cluster.node.status(),
      propose: (data, options) => service!.cluster.node.propose(data, options),
    },
    store,
    logger: logger.child({ component: 'sessions' }),
    checkEveryMs: Math.min(100, Math.max(10, config.tickMs)),
    lateAfterMs: Math.max(1_000, config.electionTicks * config.tickMs),
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const shutdown = new AbortController();
  try {
    service = await startServiceNode<LockResult>({
      config,
      stateMachine: store,
      logger,
      onFatalError,
      routes: (cluster) =>
        lockRoutes({
          node: cluster.node,
          store,
          limits: config,
          requestTimeoutMs: config.requestTimeoutMs,
          shutdown: shutdown.signal,
        }),
      members: () => store.members(),
      announceCommand: (member, addresses) => encodeLockCommand({ op: 'announce', member, ...addresses }),
      onClose: () => {
        expiry.stop();
        shutdown.abort();
      },
    });
  } catch (error) {
    expiry.stop();
    throw error;
  }
  expiry.start();
  return {
    clientUrl: service.clientUrl,
    peerUrl: service.peerUrl,
    cluster: service.cluster,
    store,
    expiry,
    close: service.close,
  };
}
