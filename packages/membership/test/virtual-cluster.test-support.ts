// A small in-process cluster for this package's tests: RaftNodes from @raft/core's public entry over
// memoryNetwork and memoryStorage, all on one virtual clock from @raft/testkit, so catch-up waits,
// elections and deadlines take no real time and a run is the same every time.

import {
  type Clock,
  type ClusterConfig,
  type CommittedEntry,
  createRaftNode,
  decodeConfig,
  type MemoryNetwork,
  type MemoryStorage,
  memoryNetwork,
  memoryStorage,
  type NodeId,
  type RaftNode,
  type StateMachine,
  type Transport,
} from '@raft/core';
import { createPrng, createVirtualScheduler, type EventOwner, type VirtualScheduler } from '@raft/testkit';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Appends each entry's text; snapshots as one JSON chunk, so new members can be sent a snapshot. */
export class ListStateMachine implements StateMachine<number> {
  readonly values: string[] = [];

  apply(entries: readonly CommittedEntry[]): number[] {
    return entries.map((entry) => {
      this.values.push(decoder.decode(entry.data));
      return entry.index;
    });
  }

  snapshot(): AsyncIterable<Uint8Array> {
    const copy = JSON.stringify(this.values);
    return (async function* () {
      yield encoder.encode(copy);
    })();
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    let text = '';
    for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    this.values.splice(0, this.values.length, ...(JSON.parse(text) as string[]));
  }
}

export interface Member {
  readonly id: NodeId;
  readonly node: RaftNode<number>;
  readonly storage: MemoryStorage;
  readonly stateMachine: ListStateMachine;
  readonly owner: EventOwner;
}

/** Virtual milliseconds per tick; elections take 100-200 ms of virtual time. */
export const TICK_MS = 10;

/** The address a test gives node `id`: memoryNetwork routes by id and ignores it, transports would not. */
export function addressOf(id: NodeId): string {
  return `mem://${id}`;
}

/** N founding voters on one virtual clock; more nodes can be started empty to join. */
export class VirtualCluster {
  readonly scheduler: VirtualScheduler = createVirtualScheduler();
  readonly network: MemoryNetwork;
  readonly members = new Map<NodeId, Member>();
  /** A clock for the test's own waits (membership polling, the writer), on the same virtual time. */
  readonly clock: Clock;
  /**
   * Every configuration entry any node sent in an AppendEntries, by log index, in the order first
   * seen: the exact sequence of configurations the leaders appended (joint ones included), which
   * sampling status() between events could miss (a joint phase can start and end within one event).
   */
  readonly appendedConfigs = new Map<number, ClusterConfig>();
  private readonly random: () => number;
  private instances = 0;

  constructor(
    readonly founders: readonly NodeId[],
    readonly seed = Number(process.env['CLUSTER_SEED'] ?? 1),
  ) {
    const prng = createPrng(seed);
    this.random = () => prng.next();
    this.network = memoryNetwork({ random: this.random });
    this.clock = this.scheduler.clockFor({ name: 'test', alive: true }, 'test');
    for (const id of founders) this.create(id, memoryStorage(), true);
  }

  member(id: NodeId): Member {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  /** Start every founder, let `first` campaign and wait until it leads. */
  async startWithLeader(first: NodeId): Promise<Member> {
    await Promise.all(this.founders.map((id) => this.member(id).node.start()));
    this.member(first).node.campaign();
    await this.runUntil(() => this.leaderId() === first, 5_000, `${first} to lead`);
    return this.member(first);
  }

  /** Create and start a node with EMPTY storage and no initial members: it waits to be added. */
  async startNewcomer(id: NodeId): Promise<Member> {
    const member = this.create(id, memoryStorage(), false);
    await member.node.start();
    return member;
  }

  /** A new node instance for `id` over a copy of its stopped predecessor's persisted data (not started). */
  restartOnOldStorage(id: NodeId): Member {
    const old = this.member(id);
    return this.create(id, memoryStorage({ initial: old.storage.contents() }), false);
  }

  async stopMember(id: NodeId): Promise<void> {
    const member = this.member(id);
    await member.node.stop();
    member.owner.alive = false;
  }

  /** The running leader with the highest term, if any. */
  leaderId(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const member of this.members.values()) {
      if (!member.owner.alive) continue;
      let status: ReturnType<RaftNode<number>['status']>;
      try {
        status = member.node.status();
      } catch {
        continue;
      }
      if (status.role === 'leader' && (best === undefined || status.term > best.term)) {
        best = { id: member.id, term: status.term };
      }
    }
    return best?.id;
  }

  /** Run virtual time until `condition` holds; throws after `withinMs` of virtual time. */
  async runUntil(condition: () => boolean, withinMs: number, what: string): Promise<void> {
    const deadline = this.scheduler.now() + withinMs;
    // Let pending continuations run before time moves on.
    await new Promise((resolve) => setImmediate(resolve));
    while (!condition()) {
      if (this.scheduler.now() > deadline) {
        throw new Error(`timed out after ${withinMs} virtual ms waiting for ${what}`);
      }
      const event = await this.scheduler.step();
      if (event === undefined) throw new Error(`nothing left to run while waiting for ${what}`);
    }
  }

  /** Run virtual time until `promise` settles (within `withinMs`), then return or throw its outcome. */
  async settle<T>(promise: Promise<T>, withinMs: number, what = 'the call'): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; reason: unknown } | undefined;
    promise.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (reason: unknown) => {
        outcome = { ok: false, reason };
      },
    );
    await this.runUntil(() => outcome !== undefined, withinMs, what);
    if (outcome!.ok) return outcome!.value;
    throw outcome!.reason;
  }

  /** Let `ms` of virtual time pass. */
  async advance(ms: number): Promise<void> {
    const until = this.scheduler.now() + ms;
    await this.runUntil(() => this.scheduler.now() >= until, ms + 1, `${ms} ms to pass`);
  }

  /**
   * Keep proposing to whichever node leads, one entry every `everyMs` of virtual time, until the
   * returned stop() is called. Counts the proposals that committed.
   */
  startWriter(everyMs = 5): { readonly committed: () => number; stop(): void } {
    let committed = 0;
    let stopped = false;
    let sequence = 0;
    const loop = async (): Promise<void> => {
      while (!stopped) {
        const leader = this.leaderId();
        if (leader !== undefined) {
          this.member(leader)
            .node.propose(bytes(`w${sequence++}`), { timeoutMs: 500 })
            .then(
              () => {
                committed++;
              },
              () => undefined,
            );
        }
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, everyMs));
      }
    };
    void loop();
    return {
      committed: () => committed,
      stop: () => {
        stopped = true;
      },
    };
  }

  /** Stop every running node. */
  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((member) => member.node.stop()));
    for (const member of this.members.values()) member.owner.alive = false;
  }

  /** Configurations appended after `since` (a log index), in log order. */
  configsAfter(since: number): ClusterConfig[] {
    return [...this.appendedConfigs.entries()]
      .filter(([index]) => index > since)
      .sort(([x], [y]) => x - y)
      .map(([, config]) => config);
  }

  /** Records the configuration entries `inner` sends (see {@link appendedConfigs}). */
  private recording(inner: Transport): Transport {
    const configs = this.appendedConfigs;
    return {
      start: (handler) => inner.start(handler),
      stop: () => inner.stop(),
      setPeers: (peers) => inner.setPeers(peers),
      send(messages) {
        for (const message of messages) {
          if (message.type !== 'AppendEntries') continue;
          for (const entry of message.entries) {
            if (entry.type === 'config' && !configs.has(entry.index)) {
              configs.set(entry.index, decodeConfig(entry.data));
            }
          }
        }
        inner.send(messages);
      },
    };
  }

  private create(id: NodeId, storage: MemoryStorage, founder: boolean): Member {
    const previous = this.members.get(id);
    if (previous !== undefined) previous.owner.alive = false;
    const owner: EventOwner = { name: `${id}#${this.instances++}`, alive: true };
    const stateMachine = new ListStateMachine();
    const node = createRaftNode<number>({
      id,
      storage,
      transport: this.recording(this.network.transport(id)),
      stateMachine,
      clock: this.scheduler.clockFor(owner, id),
      random: this.random,
      tickMs: TICK_MS,
      ...(founder ? { initialMembers: this.founders } : {}),
      // Small snapshots and a short log, so a newcomer catches up from a snapshot, as in production.
      snapshot: { everyEntries: 20, keepEntries: 5, chunkBytes: 1024 },
      onFatalError: (error) => {
        throw error;
      },
    });
    const member: Member = { id, node, storage, stateMachine, owner };
    this.members.set(id, member);
    return member;
  }
}
