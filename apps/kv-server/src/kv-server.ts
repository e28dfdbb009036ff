import type { StoppedError } from '@raft/core';
import { type ClusterNode, type Logger, startServiceNode } from '@raft/service';
import { encodeKvCommand } from './kv/kv-command.js';
import { kvRoutes } from './kv/kv-routes.js';
import type { KvResult } from './kv/kv-state.js';
import { KvStateMachine } from './kv/kv-state-machine.js';
import type { KvServerConfig } from './kv-settings.js';

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
 * Starts one raft-kv node: the replicated store on LevelDB, the WebSocket transport and the HTTP API
 * (the KV routes, then `@raft/service`'s operations and membership routes).
 * `onFatalError` runs if the node fails (storage or state machine error); the server is then useless.
 */
export async function startKvServer(
  config: KvServerConfig,
  logger: Logger,
  onFatalError: (error: StoppedError) => void,
): Promise<KvServer> {
  const store = new KvStateMachine();
  const service = await startServiceNode<KvResult>({
    config,
    stateMachine: store,
    logger,
    onFatalError,
    routes: ({ node }) =>
      kvRoutes({
        node,
        store,
        limits: {
          maxKeyBytes: config.maxKeyBytes,
          maxValueBytes: config.maxValueBytes,
          requestTimeoutMs: config.requestTimeoutMs,
          idempotencyTtlMs: config.idempotencyTtlMs,
        },
      }),
    members: () => store.members(),
    // Every command carries the proposer's clock: idempotency records expire against it.
    announceCommand: (member, { clientUrl, peerUrl }) =>
      encodeKvCommand({ type: 'announce', member, clientUrl, peerUrl, stamp: Date.now() }),
  });
  return {
    clientUrl: service.clientUrl,
    peerUrl: service.peerUrl,
    cluster: service.cluster,
    store,
    close: () => service.close(),
  };
}
