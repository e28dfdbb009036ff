import { encodeConfig } from '../src/codec/index.js';
import type { Message } from '../src/engine/messages.js';
import type { RaftOptions } from '../src/engine/options.js';
import { Raft } from '../src/engine/raft.js';
import type { Ready } from '../src/engine/ready.js';
import type { Entry, HardState, NodeId } from '../src/engine/types.js';
import { seededRandom } from './seeded-random.js';

export { seededRandom };

/** The bootstrap entry every founding member starts with. */
export function bootstrapEntry(voters: readonly NodeId[], learners: readonly NodeId[] = []): Entry {
  return { index: 1, term: 1, type: 'config', data: encodeConfig({ voters, outgoingVoters: [], learners }) };
}

/** One engine plus the durable state its Ready batches wrote. */
export interface HarnessNode {
  raft: Raft;
  hardState: HardState;
  entries: Entry[];
  applied: Entry[];
  readStates: { requestId: number; index: number }[];
  readFailures: { requestId: number; reason: string }[];
  outcomes: Ready['proposalOutcomes'][number][];
  /** Snapshot transfers the engine asked for (leader), in order. */
  snapshotRequests: Ready['snapshotRequests'][number][];
  /** Every message this node sent, in order, with whether it waited for persistence. */
  sent: { message: Message; afterPersist: boolean }[];
}

/**
 * Engines wired together synchronously: `deliver()` runs every node's Ready loop and routes messages
 * until the network is quiet. Links can be cut; messages can be filtered. No driver, no async.
 */
export class EngineCluster {
  readonly nodes = new Map<NodeId, HarnessNode>();
  private inFlight: Message[] = [];
  private readonly cut = new Set<string>();
  /** Return false to drop a message. */
  filter: (message: Message) => boolean = () => true;

  constructor(
    readonly ids: readonly NodeId[],
    options: Partial<Omit<RaftOptions, 'id'>> = {},
    seed = 1,
    learners: readonly NodeId[] = [],
  ) {
    const random = seededRandom(seed);
    for (const id of [...ids, ...learners]) {
      const entries = [bootstrapEntry(ids, learners)];
      const hardState = { term: 1, vote: '', commit: 1 };
      const raft = new Raft({ ...options, id, random }, { hardState, entries });
      this.nodes.set(id, {
        raft,
        hardState,
        entries: [...entries],
        applied: [],
        readStates: [],
        readFailures: [],
        outcomes: [],
        snapshotRequests: [],
        sent: [],
      });
    }
  }

  node(id: NodeId): HarnessNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  raft(id: NodeId): Raft {
    return this.node(id).raft;
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Run one Ready cycle on `id`: persist, collect messages, apply, advance. */
  process(id: NodeId): void {
    const node = this.node(id);
    while (node.raft.hasReady()) {
      const ready = node.raft.ready();
      for (const message of ready.messages) {
        node.sent.push({ message, afterPersist: false });
        this.inFlight.push(message);
      }
      if (ready.hardState !== undefined) node.hardState = ready.hardState;
      if (ready.entries.length > 0) {
        const first = ready.entries[0]!.index;
        node.entries = [...node.entries.filter((entry) => entry.index < first), ...ready.entries];
      }
      for (const message of ready.persistedMessages) {
        node.sent.push({ message, afterPersist: true });
        this.inFlight.push(message);
      }
      node.applied.push(...ready.committedEntries);
      node.readStates.push(...ready.readStates);
      node.readFailures.push(...ready.readFailures);
      node.outcomes.push(...ready.proposalOutcomes);
      node.snapshotRequests.push(...ready.snapshotRequests);
      node.raft.advance(ready);
    }
  }

  /** Process every node and deliver messages until nothing moves (bounded). */
  deliver(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      for (const id of this.nodes.keys()) this.process(id);
      if (this.inFlight.length === 0) return;
      const batch = this.inFlight;
      this.inFlight = [];
      for (const message of batch) {
        if (this.cut.has(`${message.from}>${message.to}`) || !this.filter(message)) continue;
        this.nodes.get(message.to)?.raft.step(message);
      }
    }
    throw new Error('network did not settle');
  }

  /** Tick every node once and deliver. */
  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) node.raft.tick();
      this.deliver();
    }
  }

  /** Make `id` campaign and settle. */
  elect(id: NodeId): void {
    this.raft(id).campaign();
    this.deliver();
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()]
      .filter((node) => node.raft.status().role === 'leader')
      .map((node) => node.raft.id);
  }

  /** Propose on `id` and settle. */
  propose(id: NodeId, text: string, proposalId = 1): void {
    this.raft(id).propose(proposalId, new TextEncoder().encode(text));
    this.deliver();
  }

  /** Application payloads applied on `id`, as text (no-ops and config entries skipped). */
  appliedText(id: NodeId): string[] {
    return this.node(id)
      .applied.filter((entry) => entry.type === 'normal' && entry.data.byteLength > 0)
      .map((entry) => new TextDecoder().decode(entry.data));
  }
}
