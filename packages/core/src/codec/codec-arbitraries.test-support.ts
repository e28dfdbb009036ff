// fast-check arbitraries for every value the codec encodes. Test support only: imported by the codec's
// tests, never by the package.
import fc from 'fast-check';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Heartbeat,
  HeartbeatResponse,
  InstallSnapshot,
  InstallSnapshotResponse,
  Message,
  MessageType,
  Propose,
  ProposeResponse,
  ReadIndexRequest,
  ReadIndexResponse,
  RequestVote,
  RequestVoteResponse,
  TimeoutNow,
} from '../engine/messages.js';
import type { ClusterConfig, Entry, HardState } from '../engine/types.js';

// Decoded values are plain objects; fast-check's records default to a null prototype, which
// toStrictEqual would (rightly) tell apart.
const plain = { noNullPrototype: true } as const;

/** Values at every varint width boundary, where an off-by-one in sizing or reading would show. */
const VARINT_BOUNDARIES = [
  0,
  1,
  0x7f,
  0x80,
  0x3fff,
  0x4000,
  0x1f_ffff,
  0x20_0000,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 35,
  2 ** 42,
  2 ** 49 - 1,
  2 ** 49,
  Number.MAX_SAFE_INTEGER,
];

/** Any non-negative safe integer, biased to small values and to the varint boundaries. */
export const natArb: fc.Arbitrary<number> = fc.oneof(
  fc.nat(300),
  fc.constantFrom(...VARINT_BOUNDARIES),
  fc.maxSafeNat(),
);

/** Node ids: short ASCII, any well-formed Unicode (lone surrogates cannot round-trip), and edge cases. */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ minLength: 60, maxLength: 140 }),
  fc.constantFrom('', 'n1', '\uFEFFlead-bom', 'é', '日本', '😀'),
);

export const dataArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ minLength: 120, maxLength: 300 }),
);

export const entryArb: fc.Arbitrary<Entry> = fc.record(
  {
    index: natArb,
    term: natArb,
    type: fc.constantFrom('normal' as const, 'config' as const),
    data: dataArb,
  },
  plain,
);

export const hardStateArb: fc.Arbitrary<HardState> = fc.record(
  { term: natArb, vote: idArb, commit: natArb },
  plain,
);

export const configArb: fc.Arbitrary<ClusterConfig> = fc.record(
  {
    voters: fc.array(idArb, { maxLength: 7 }),
    outgoingVoters: fc.array(idArb, { maxLength: 7 }),
    learners: fc.array(idArb, { maxLength: 4 }),
    addresses: fc
      .uniqueArray(fc.tuple(idArb, fc.string({ maxLength: 40 })), {
        minLength: 1,
        maxLength: 4,
        selector: ([id]) => id,
      })
      .map((pairs) => Object.fromEntries(pairs)),
  },
  { ...plain, requiredKeys: ['voters', 'outgoingVoters', 'learners'] },
);

const envelope = { from: idArb, to: idArb, term: natArb };

/** One arbitrary per message type, so a test can prove it covers all of `MESSAGE_TYPES`. */
export const messageArbs: { readonly [K in MessageType]: fc.Arbitrary<Extract<Message, { type: K }>> } = {
  AppendEntries: fc.record<AppendEntries>(
    {
      type: fc.constant('AppendEntries'),
      ...envelope,
      prevLogIndex: natArb,
      prevLogTerm: natArb,
      entries: fc.array(entryArb, { maxLength: 6 }),
      leaderCommit: natArb,
    },
    plain,
  ),
  AppendEntriesResponse: fc.record<AppendEntriesResponse>(
    {
      type: fc.constant('AppendEntriesResponse'),
      ...envelope,
      success: fc.boolean(),
      matchIndex: natArb,
      rejectedIndex: natArb,
      hintIndex: natArb,
      hintTerm: natArb,
    },
    plain,
  ),
  RequestVote: fc.record<RequestVote>(
    {
      type: fc.constant('RequestVote'),
      ...envelope,
      preVote: fc.boolean(),
      lastLogIndex: natArb,
      lastLogTerm: natArb,
      transfer: fc.boolean(),
    },
    plain,
  ),
  RequestVoteResponse: fc.record<RequestVoteResponse>(
    {
      type: fc.constant('RequestVoteResponse'),
      ...envelope,
      preVote: fc.boolean(),
      granted: fc.boolean(),
    },
    plain,
  ),
  Heartbeat: fc.record<Heartbeat>(
    {
      type: fc.constant('Heartbeat'),
      ...envelope,
      commit: natArb,
      readSeq: natArb,
    },
    plain,
  ),
  HeartbeatResponse: fc.record<HeartbeatResponse>(
    {
      type: fc.constant('HeartbeatResponse'),
      ...envelope,
      readSeq: natArb,
    },
    plain,
  ),
  TimeoutNow: fc.record<TimeoutNow>({ type: fc.constant('TimeoutNow'), ...envelope }, plain),
  ReadIndex: fc.record<ReadIndexRequest>(
    { type: fc.constant('ReadIndex'), ...envelope, requestId: natArb },
    plain,
  ),
  ReadIndexResponse: fc.record<ReadIndexResponse>(
    {
      type: fc.constant('ReadIndexResponse'),
      ...envelope,
      requestId: natArb,
      index: natArb,
    },
    plain,
  ),
  Propose: fc.record<Propose>(
    {
      type: fc.constant('Propose'),
      ...envelope,
      proposalId: natArb,
      data: dataArb,
    },
    plain,
  ),
  ProposeResponse: fc.record<ProposeResponse>(
    {
      type: fc.constant('ProposeResponse'),
      ...envelope,
      proposalId: natArb,
      index: natArb,
      entryTerm: natArb,
    },
    plain,
  ),
  InstallSnapshot: fc.record<InstallSnapshot>(
    {
      type: fc.constant('InstallSnapshot'),
      ...envelope,
      meta: fc.record({ index: natArb, term: natArb, config: configArb }, plain),
      transferId: natArb,
      offset: natArb,
      data: dataArb,
      done: fc.boolean(),
    },
    plain,
  ),
  InstallSnapshotResponse: fc.record<InstallSnapshotResponse>(
    {
      type: fc.constant('InstallSnapshotResponse'),
      ...envelope,
      transferId: natArb,
      snapshotIndex: natArb,
      received: natArb,
      status: fc.constantFrom('receiving' as const, 'installed' as const, 'refused' as const),
    },
    plain,
  ),
};

export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  ...Object.values(messageArbs as Record<MessageType, fc.Arbitrary<Message>>),
);

/** A trace context: any 26 bytes (the codec treats it as opaque). */
export const traceContextArb: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 26, maxLength: 26 });

/** An AppendEntries whose traces name a non-empty, ascending subset of the entries it carries. */
export const tracedAppendEntriesArb: fc.Arbitrary<AppendEntries> = messageArbs.AppendEntries.filter(
  (message) =>
    message.entries.length > 0 && Number.isSafeInteger(message.prevLogIndex + message.entries.length),
).chain((message) =>
  fc
    .subarray(
      message.entries.map((_, position) => message.prevLogIndex + position + 1),
      { minLength: 1 },
    )
    .chain((indices) =>
      fc.array(traceContextArb, { minLength: indices.length, maxLength: indices.length }).map((contexts) => ({
        ...message,
        traces: indices.map((index, i) => ({ index, context: contexts[i]! })),
      })),
    ),
);

/** A Propose carrying a trace context. */
export const tracedProposeArb: fc.Arbitrary<Propose> = fc.record<Propose>(
  {
    type: fc.constant('Propose'),
    ...envelope,
    proposalId: natArb,
    data: dataArb,
    trace: traceContextArb,
  },
  plain,
);

/** A message that carries trace context (so it is encoded as codec version 2). */
export const tracedMessageArb: fc.Arbitrary<Message> = fc.oneof(
  tracedAppendEntriesArb as fc.Arbitrary<Message>,
  tracedProposeArb as fc.Arbitrary<Message>,
);
