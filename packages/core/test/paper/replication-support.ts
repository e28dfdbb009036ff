import type {
  AppendEntries,
  AppendEntriesResponse,
  Heartbeat,
  HeartbeatResponse,
  Message,
  RequestVoteResponse,
} from '../../src/engine/messages.js';
import type { RaftOptions } from '../../src/engine/options.js';
import { Raft } from '../../src/engine/raft.js';
import type { Ready } from '../../src/engine/ready.js';
import type { Entry, NodeId } from '../../src/engine/types.js';
import { bootstrapEntry, EngineCluster, seededRandom } from '../engine-harness.js';

/**
 * Helpers for the replication, safety, read and transfer paper tests: logs written as term lists (like
 * the paper's figures), engines started from such logs, hand-made messages, and a Ready drain.
 */

/** Engine options without the id; tests pass only what matters to the rule under test. */
export type TestOptions = Partial<Omit<RaftOptions, 'id'>>;

const encoder = new TextEncoder();

/** A normal entry whose payload is `data` (empty = a leader's no-op). */
export function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: encoder.encode(data) };
}

/**
 * A log written as the term of each entry, as in Raft Figures 7 and 8. Index 1 is always the bootstrap
 * configuration entry (term 1), so `terms[0]` must be 1; later entries carry the text `i<index>`.
 */
export function logOf(
  voters: readonly NodeId[],
  terms: readonly number[],
  learners: readonly NodeId[] = [],
): Entry[] {
  if (terms[0] !== 1) throw new Error('the bootstrap entry at index 1 has term 1');
  return terms.map((term, i) =>
    i === 0 ? bootstrapEntry(voters, learners) : entry(i + 1, term, `i${i + 1}`),
  );
}

/** The terms of `entries`, index order: the shape the paper's figures use. */
export function termsOf(entries: readonly Entry[]): number[] {
  return entries.map((e) => e.term);
}

/** Where one engine starts: its log (as terms) and its persisted term, vote and commit index. */
export interface StartState {
  readonly terms: readonly number[];
  readonly term?: number;
  readonly vote?: NodeId;
  readonly commit?: number;
}

/** One engine started from `start` in a cluster of `voters` (and `learners`). */
export function newRaft(
  id: NodeId,
  voters: readonly NodeId[],
  start: StartState = { terms: [1] },
  options: TestOptions = {},
  learners: readonly NodeId[] = [],
): Raft {
  const entries = logOf(voters, start.terms, learners);
  const hardState = { term: start.term ?? 1, vote: start.vote ?? '', commit: start.commit ?? 1 };
  // The state machine already reflects the committed prefix, so the first Ready applies nothing old.
  return new Raft(
    { random: seededRandom(7), ...options, id },
    { hardState, entries, applied: hardState.commit },
  );
}

/** Everything a run of Ready batches produced, concatenated. */
export interface Drained {
  readonly entries: Entry[];
  readonly messages: Message[];
  readonly persistedMessages: Message[];
  readonly committedEntries: Entry[];
  readonly readStates: Ready['readStates'][number][];
  readonly readFailures: Ready['readFailures'][number][];
  readonly proposalOutcomes: Ready['proposalOutcomes'][number][];
}

/** Take and advance every pending Ready of `raft` (as a driver would after persisting it). */
export function drain(raft: Raft): Drained {
  const out: Drained = {
    entries: [],
    messages: [],
    persistedMessages: [],
    committedEntries: [],
    readStates: [],
    readFailures: [],
    proposalOutcomes: [],
  };
  while (raft.hasReady()) {
    const ready = raft.ready();
    out.entries.push(...ready.entries);
    out.messages.push(...ready.messages);
    out.persistedMessages.push(...ready.persistedMessages);
    out.committedEntries.push(...ready.committedEntries);
    out.readStates.push(...ready.readStates);
    out.readFailures.push(...ready.readFailures);
    out.proposalOutcomes.push(...ready.proposalOutcomes);
    raft.advance(ready);
  }
  return out;
}

/** Messages of one type from a list, narrowed. */
export function ofType<T extends Message['type']>(
  messages: readonly Message[],
  type: T,
): Extract<Message, { type: T }>[] {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

/**
 * Make `id` the leader of `voters` by hand: it campaigns (PreVote off so one round suffices) and the
 * next voters grant until it wins. Its Ready batches are drained, so its no-op is persisted locally
 * but no follower has acknowledged anything yet.
 */
export function makeLeader(
  id: NodeId,
  voters: readonly NodeId[],
  start: StartState = { terms: [1] },
  options: TestOptions = {},
  learners: readonly NodeId[] = [],
): Raft {
  const raft = newRaft(id, voters, start, { ...options, preVote: false }, learners);
  raft.campaign();
  drain(raft);
  for (const voter of voters) {
    if (raft.status().role === 'leader') break;
    if (voter === id) continue;
    raft.step(voteGranted(voter, id, raft.status().term));
  }
  if (raft.status().role !== 'leader') throw new Error(`${id} did not win`);
  drain(raft);
  return raft;
}

export function voteGranted(from: NodeId, to: NodeId, term: number): RequestVoteResponse {
  return { type: 'RequestVoteResponse', from, to, term, preVote: false, granted: true };
}

export function appendEntries(
  fields: Omit<AppendEntries, 'type' | 'leaderCommit'> & { leaderCommit?: number },
): AppendEntries {
  return { type: 'AppendEntries', leaderCommit: 0, ...fields };
}

/** A follower's acknowledgement that it holds the leader's log up to `matchIndex`. */
export function appendAck(from: NodeId, to: NodeId, term: number, matchIndex: number): AppendEntriesResponse {
  return {
    type: 'AppendEntriesResponse',
    from,
    to,
    term,
    success: true,
    matchIndex,
    rejectedIndex: 0,
    hintIndex: 0,
    hintTerm: 0,
  };
}

/** A follower's rejection of the append after `rejectedIndex`, with its conflict hint. */
export function appendReject(
  from: NodeId,
  to: NodeId,
  term: number,
  rejectedIndex: number,
  hintIndex: number,
  hintTerm: number,
): AppendEntriesResponse {
  return {
    type: 'AppendEntriesResponse',
    from,
    to,
    term,
    success: false,
    matchIndex: 0,
    rejectedIndex,
    hintIndex,
    hintTerm,
  };
}

export function heartbeat(from: NodeId, to: NodeId, term: number, commit: number, readSeq = 0): Heartbeat {
  return { type: 'Heartbeat', from, to, term, commit, readSeq };
}

export function heartbeatAck(from: NodeId, to: NodeId, term: number, readSeq: number): HeartbeatResponse {
  return { type: 'HeartbeatResponse', from, to, term, readSeq };
}

/** The newest read round the leader broadcast to `to` among `messages` (0 if none). */
export function lastReadSeq(messages: readonly Message[], to: NodeId): number {
  const rounds = ofType(messages, 'Heartbeat')
    .filter((m) => m.to === to)
    .map((m) => m.readSeq);
  return rounds.length === 0 ? 0 : Math.max(...rounds);
}

/**
 * An {@link EngineCluster} whose members start from the given logs and hard states instead of the
 * bootstrap entry alone, for scenarios like Figures 7 and 8. Members not in `starts` start fresh.
 */
export function clusterWithLogs(
  ids: readonly NodeId[],
  starts: Readonly<Record<NodeId, StartState>>,
  options: TestOptions = {},
  seed = 1,
): EngineCluster {
  const cluster = new EngineCluster(ids, options, seed);
  const random = seededRandom(seed + 1);
  for (const id of ids) {
    const start = starts[id];
    if (start === undefined) continue;
    const node = cluster.node(id);
    const entries = logOf(ids, start.terms);
    const hardState = { term: start.term ?? 1, vote: start.vote ?? '', commit: start.commit ?? 1 };
    node.raft = new Raft({ ...options, id, random }, { hardState, entries });
    node.hardState = hardState;
    node.entries = [...entries];
  }
  return cluster;
}

/** The terms of the entries `id` has persisted (what its disk holds). */
export function persistedTerms(cluster: EngineCluster, id: NodeId): number[] {
  return termsOf(cluster.node(id).entries);
}

/** How many AppendEntries rejections `id` has sent. */
export function rejectionsSent(cluster: EngineCluster, id: NodeId): number {
  return cluster
    .node(id)
    .sent.filter(({ message }) => message.type === 'AppendEntriesResponse' && !message.success).length;
}

/** Text payload of an entry. */
export function text(e: Entry): string {
  return new TextDecoder().decode(e.data);
}

export function bytes(value: string): Uint8Array {
  return encoder.encode(value);
}
