// Test and benchmark support: a few RaftNodes in one process over memoryNetwork and memoryStorage,
// on the real clock with short ticks. Not part of the package.
import {
  type CommittedEntry,
  createRaftNode,
  type MemoryNetwork,
  memoryNetwork,
  memoryStorage,
  type NodeId,
  type Observer,
  type RaftNode,
  type RaftOptions,
  type RaftStatus,
  type SnapshotOptions,
  type StateMachine,
  type StoppedError,
  type TraceContextSource,
} from '@raft/core';
import { waitFor } from '@raft/testkit/conformance';

/**
 * The leader's last entry went out to every follower (their `next` is past it) but has not committed:
 * replication started, as when the followers are cut off.
 */
export function sentButUncommitted(status: RaftStatus): boolean {
  if (status.lastIndex <= status.commitIndex || status.progress.size === 0) return false;
  for (const [id, progress] of status.progress) {
    if (id !== status.id && progress.next <= status.lastIndex) return false;
  }
  return true;
}

/** Returns each entry's index; refuses (throws on) the text in `failOn`, to test fatal failures. */
export class IndexStateMachine implements StateMachine<number> {
  failOn: string | undefined;
  private readonly decoder = new TextDecoder();

  apply(entries: readonly CommittedEntry[]): number[] {
    return entries.map((entry) => {
      if (this.failOn !== undefined && this.decoder.decode(entry.data) === this.failOn) {
        throw new Error(`refusing ${this.failOn}`);
      }
      return entry.index;
    });
  }
}

/** The same, with snapshots: the state is the last applied index (as text), so the node can compact. */
export class SnapshottingStateMachine extends IndexStateMachine {
  private appliedIndex = 0;

  override apply(entries: readonly CommittedEntry[]): number[] {
    const results = super.apply(entries);
    this.appliedIndex = entries[entries.length - 1]?.index ?? this.appliedIndex;
    return results;
  }

  async *snapshot(): AsyncIterable<Uint8Array> {
    yield new TextEncoder().encode(String(this.appliedIndex));
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    this.appliedIndex = Number(text + decoder.decode());
  }
}

export interface InProcessClusterOptions {
  readonly ids: readonly NodeId[];
  readonly observer?: (id: NodeId) => Observer | undefined;
  /** Each node's `traceContext` capability (trace context through replication), if any. */
  readonly traceContext?: (id: NodeId) => TraceContextSource | undefined;
  readonly tickMs?: number;
  readonly raft?: Omit<RaftOptions, 'id' | 'random'>;
  /** Turn snapshots on (every node gets a {@link SnapshottingStateMachine}). */
  readonly snapshot?: SnapshotOptions;
  /** Route the network's drops (`onDrop`) to the sending node's observer as `message-dropped` events. */
  readonly reportDrops?: boolean;
}

export interface InProcessCluster {
  readonly network: MemoryNetwork;
  readonly nodes: ReadonlyMap<NodeId, RaftNode<number>>;
  readonly stateMachines: ReadonlyMap<NodeId, IndexStateMachine>;
  readonly fatalErrors: StoppedError[];
  node(id: NodeId): RaftNode<number>;
  /** Start every node, make `first` campaign at once, and wait until it leads and everyone knows it. */
  startWithLeader(first: NodeId): Promise<RaftNode<number>>;
  /** Wait until every running node has applied `index`. */
  waitForApplied(index: number): Promise<void>;
  stop(): Promise<void>;
}

export function inProcessCluster(options: InProcessClusterOptions): InProcessCluster {
  const observers = new Map<NodeId, Observer>();
  const network = memoryNetwork(
    options.reportDrops === true ? { onDrop: (event, from) => observers.get(from)?.(event) } : {},
  );
  const nodes = new Map<NodeId, RaftNode<number>>();
  const stateMachines = new Map<NodeId, IndexStateMachine>();
  const fatalErrors: StoppedError[] = [];
  for (const id of options.ids) {
    const stateMachine =
      options.snapshot === undefined ? new IndexStateMachine() : new SnapshottingStateMachine();
    const observer = options.observer?.(id);
    const traceContext = options.traceContext?.(id);
    if (observer !== undefined) observers.set(id, observer);
    stateMachines.set(id, stateMachine);
    nodes.set(
      id,
      createRaftNode<number>({
        id,
        storage: memoryStorage(),
        transport: network.transport(id),
        stateMachine,
        initialMembers: options.ids,
        tickMs: options.tickMs ?? 5,
        onFatalError: (error) => fatalErrors.push(error),
        ...(observer === undefined ? {} : { observer }),
        ...(traceContext === undefined ? {} : { traceContext }),
        ...(options.raft === undefined ? {} : { raft: options.raft }),
        ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
      }),
    );
  }
  const node = (id: NodeId): RaftNode<number> => {
    const found = nodes.get(id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  };
  const running = (): RaftNode<number>[] => {
    const list: RaftNode<number>[] = [];
    for (const candidate of nodes.values()) {
      try {
        candidate.status();
        list.push(candidate);
      } catch {
        // not started
      }
    }
    return list;
  };
  return {
    network,
    nodes,
    stateMachines,
    fatalErrors,
    node,
    async startWithLeader(first) {
      await Promise.all([...nodes.values()].map((member) => member.start()));
      const leader = node(first);
      leader.campaign();
      await waitFor(() => [...nodes.values()].every((member) => member.status().leader === first), {
        timeoutMs: 5_000,
      });
      return leader;
    },
    async waitForApplied(index) {
      await waitFor(() => running().every((member) => member.status().appliedIndex >= index), {
        timeoutMs: 5_000,
      });
    },
    async stop() {
      await Promise.all([...nodes.values()].map((member) => member.stop()));
    },
  };
}
