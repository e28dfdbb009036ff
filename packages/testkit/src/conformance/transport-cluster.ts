import type { Message, NodeId, Transport } from '@raft/core';

/** How the transport suite gets transports to test. */
export interface TransportFactory {
  /**
   * One transport per id, each already told every other node's address (via `setPeers` or its
   * options), none started: the suite calls `start` itself.
   */
  setup(ids: readonly NodeId[]): Promise<ReadonlyMap<NodeId, Transport>>;
  /**
   * The address book the last `setup` gave its transports (node id to address). The suite uses it to
   * change address books at run time; without it the `setPeers` test is skipped.
   */
  addresses?(): ReadonlyMap<NodeId, string>;
  /** Release whatever `setup` made (ports, servers). The suite has stopped every transport before. */
  teardown?(): Promise<void>;
}

/** Started transports and what each one received. */
export interface TransportCluster {
  transport(id: NodeId): Transport;
  /** Messages `id` received so far, in arrival order; the array keeps growing. */
  received(id: NodeId): readonly Message[];
  /** Stop `id`'s transport; the teardown will not stop it again. */
  stop(id: NodeId): Promise<void>;
}

export interface ClusterOptions {
  /** Called after setup and before any transport starts, for example to change address books. */
  readonly beforeStart?: (transports: ReadonlyMap<NodeId, Transport>) => void;
}

/** Sets up and starts `ids`, runs `body`, then stops every transport still running and tears down. */
export async function withCluster(
  factory: TransportFactory,
  ids: readonly NodeId[],
  body: (cluster: TransportCluster) => Promise<void>,
  options: ClusterOptions = {},
): Promise<void> {
  const transports = await factory.setup(ids);
  const inboxes = new Map<NodeId, Message[]>();
  const stopped = new Set<NodeId>();
  const transport = (id: NodeId): Transport => {
    const found = transports.get(id);
    if (found === undefined) throw new Error(`the factory's setup returned no transport for ${id}`);
    return found;
  };
  try {
    options.beforeStart?.(transports);
    for (const id of ids) {
      const inbox: Message[] = [];
      inboxes.set(id, inbox);
      await transport(id).start((message) => {
        inbox.push(message);
      });
    }
    await body({
      transport,
      received: (id) => inboxes.get(id) ?? [],
      async stop(id) {
        stopped.add(id);
        await transport(id).stop();
      },
    });
  } finally {
    for (const [id, running] of transports) if (!stopped.has(id)) await running.stop();
    await factory.teardown?.();
  }
}
