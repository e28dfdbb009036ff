/**
 * Small builders for the election paper tests: one engine driven by hand, messages with sensible
 * defaults, and a drain that records what a Ready batch would have persisted and sent.
 */
import type {
  AppendEntries,
  AppendEntriesResponse,
  Heartbeat,
  Message,
  MessageType,
  RequestVote,
  RequestVoteResponse,
} from '../../src/engine/messages.js';
import type { RaftOptions } from '../../src/engine/options.js';
import { Raft } from '../../src/engine/raft.js';
import type { Ready } from '../../src/engine/ready.js';
import type { Entry, HardState, NodeId } from '../../src/engine/types.js';
import { bootstrapEntry, type EngineCluster, seededRandom } from '../engine-harness.js';

/** How to build one engine for a hand-driven test. */
export interface LoneRaftSetup extends Partial<Omit<RaftOptions, 'id'>> {
  /** Default 'a'. */
  readonly id?: NodeId;
  /** Default ['a', 'b', 'c']. */
  readonly voters?: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  /** Terms of the entries after the bootstrap entry (index 1, term 1). Default none. */
  readonly logTerms?: readonly number[];
  /** Persisted term. Default: the last log term (1 with only the bootstrap entry). */
  readonly term?: number;
  readonly vote?: NodeId;
}

/** A random source that always returns `value`: pins the randomized election timeout. */
export function fixedRandom(value: number): () => number {
  return () => value;
}

/** One engine whose peers are played by the test. Defaults: node 'a' of ['a', 'b', 'c'], seed 1. */
export function loneRaft(setup: LoneRaftSetup = {}): Raft {
  const {
    id = 'a',
    voters = ['a', 'b', 'c'],
    learners = [],
    logTerms = [],
    term,
    vote = '',
    ...options
  } = setup;
  const entries: Entry[] = [bootstrapEntry(voters, learners)];
  for (const entryTerm of logTerms) {
    entries.push({ index: entries.length + 1, term: entryTerm, type: 'normal', data: new Uint8Array(0) });
  }
  const lastTerm = entries[entries.length - 1]!.term;
  const hardState: HardState = { term: term ?? lastTerm, vote, commit: 1 };
  return new Raft({ random: seededRandom(1), ...options, id }, { hardState, entries });
}

/** Everything the engine asked for since the last drain, merged over as many Ready batches as it had. */
export interface Drained {
  /** The last hard state handed out for persisting, if any. */
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  /** Messages that may leave before the write. */
  readonly messages: readonly Message[];
  /** Messages that may leave only after the write. */
  readonly persistedMessages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly batches: readonly Ready[];
}

/** Take and advance every pending Ready batch, as a driver that persists and sends everything would. */
export function drain(raft: Raft): Drained {
  const batches: Ready[] = [];
  while (raft.hasReady()) {
    const ready = raft.ready();
    batches.push(ready);
    raft.advance(ready);
  }
  return {
    hardState: batches.reduce<HardState | undefined>((last, ready) => ready.hardState ?? last, undefined),
    entries: batches.flatMap((ready) => ready.entries),
    messages: batches.flatMap((ready) => ready.messages),
    persistedMessages: batches.flatMap((ready) => ready.persistedMessages),
    committedEntries: batches.flatMap((ready) => ready.committedEntries),
    batches,
  };
}

/** Every message of one type in a drained output, whether sent before or after the write. */
export function sentOfType<T extends MessageType>(
  drained: Drained,
  type: T,
): Extract<Message, { type: T }>[] {
  return [...drained.messages, ...drained.persistedMessages].filter(
    (message): message is Extract<Message, { type: T }> => message.type === type,
  );
}

/** Tick until the node leaves the follower role; returns how many ticks it took (at most `limit`). */
export function ticksUntilCampaign(raft: Raft, limit = 1_000): number {
  for (let ticks = 1; ticks <= limit; ticks++) {
    raft.tick();
    if (raft.status().role !== 'follower') return ticks;
  }
  throw new Error(`no campaign within ${limit} ticks`);
}

/** Make a lone engine leader of its term by granting it the votes of `grantors` (PreVote round included). */
export function electLone(raft: Raft, grantors: readonly NodeId[] = ['b']): void {
  raft.campaign();
  if (raft.status().role === 'pre-candidate') {
    const preVoteTerm = raft.status().term + 1;
    for (const from of grantors) raft.step(voteResponse(from, raft.id, preVoteTerm, { preVote: true }));
  }
  for (const from of grantors) raft.step(voteResponse(from, raft.id, raft.status().term));
  if (raft.status().role !== 'leader') throw new Error(`${raft.id} did not win: ${raft.status().role}`);
}

export function requestVote(
  from: NodeId,
  to: NodeId,
  term: number,
  fields: Partial<Pick<RequestVote, 'preVote' | 'lastLogIndex' | 'lastLogTerm' | 'transfer'>> = {},
): RequestVote {
  return {
    type: 'RequestVote',
    from,
    to,
    term,
    preVote: false,
    lastLogIndex: 1,
    lastLogTerm: 1,
    transfer: false,
    ...fields,
  };
}

export function voteResponse(
  from: NodeId,
  to: NodeId,
  term: number,
  fields: Partial<Pick<RequestVoteResponse, 'preVote' | 'granted'>> = {},
): RequestVoteResponse {
  return { type: 'RequestVoteResponse', from, to, term, preVote: false, granted: true, ...fields };
}

export function heartbeat(from: NodeId, to: NodeId, term: number, commit = 0): Heartbeat {
  return { type: 'Heartbeat', from, to, term, commit, readSeq: 0 };
}

/** An empty AppendEntries (a probe) after (`prevLogIndex`, `prevLogTerm`), by default the bootstrap entry. */
export function appendEntries(
  from: NodeId,
  to: NodeId,
  term: number,
  fields: Partial<Pick<AppendEntries, 'prevLogIndex' | 'prevLogTerm' | 'entries' | 'leaderCommit'>> = {},
): AppendEntries {
  return {
    type: 'AppendEntries',
    from,
    to,
    term,
    prevLogIndex: 1,
    prevLogTerm: 1,
    entries: [],
    leaderCommit: 1,
    ...fields,
  };
}

export function appendResponse(
  from: NodeId,
  to: NodeId,
  term: number,
  success = false,
): AppendEntriesResponse {
  return {
    type: 'AppendEntriesResponse',
    from,
    to,
    term,
    success,
    matchIndex: 0,
    rejectedIndex: 0,
    hintIndex: 0,
    hintTerm: 0,
  };
}

/** Messages of one type that `id` sent in a harness cluster, with their afterPersist flag. */
export function clusterSent<T extends MessageType>(
  cluster: EngineCluster,
  id: NodeId,
  type: T,
): { message: Extract<Message, { type: T }>; afterPersist: boolean }[] {
  return cluster
    .node(id)
    .sent.filter(
      (record): record is { message: Extract<Message, { type: T }>; afterPersist: boolean } =>
        record.message.type === type,
    );
}

/** Tick the cluster until `done` holds; returns the ticks taken. Fails after `limit` ticks. */
export function tickUntil(cluster: EngineCluster, done: () => boolean, limit = 200): number {
  for (let ticks = 1; ticks <= limit; ticks++) {
    cluster.tick();
    if (done()) return ticks;
  }
  throw new Error(`condition not reached within ${limit} ticks`);
}

/** Every node's current term, keyed by id. */
export function terms(cluster: EngineCluster): Record<NodeId, number> {
  return Object.fromEntries([...cluster.nodes].map(([id, node]) => [id, node.raft.status().term]));
}
