import type { Message, MessageType, NodeId } from '@raft/core';
import { patternBytes, sampleEntry } from './sample-entries.js';

/** One message of each type, keyed by type: the compiler rejects this table if a type is missing. */
type SampleTable = { readonly [T in MessageType]: Extract<Message, { type: T }> };

/**
 * One message of every {@link MessageType}, from `from` to `to`, in codec tag order. Every field
 * holds a distinct value that is not a default (no zero where a number may be non-zero, `true` where
 * the usual value is `false`, large indices up to 2^53 - 1, entries of both types with binary data),
 * so a transport or codec that drops, swaps or truncates a field fails an equality check.
 */
export function sampleMessages(from: NodeId, to: NodeId): Message[] {
  const envelope = { from, to, term: 7 } as const;
  const table: SampleTable = {
    AppendEntries: {
      ...envelope,
      type: 'AppendEntries',
      prevLogIndex: 40,
      prevLogTerm: 6,
      entries: [
        sampleEntry(41, 7, new Uint8Array(0)),
        sampleEntry(42, 7, Uint8Array.of(0x00, 0xff, 0x80, 0x7f, 0x0a, 0x0d)),
        sampleEntry(43, 7, patternBytes(300, 43), 'config'),
      ],
      leaderCommit: 39,
    },
    AppendEntriesResponse: {
      ...envelope,
      type: 'AppendEntriesResponse',
      success: false,
      matchIndex: 38,
      rejectedIndex: 40,
      hintIndex: 35,
      hintTerm: 5,
    },
    RequestVote: {
      ...envelope,
      type: 'RequestVote',
      preVote: true,
      lastLogIndex: Number.MAX_SAFE_INTEGER,
      lastLogTerm: 2 ** 40 + 3,
      transfer: true,
    },
    RequestVoteResponse: { ...envelope, type: 'RequestVoteResponse', preVote: true, granted: true },
    Heartbeat: { ...envelope, type: 'Heartbeat', commit: 12, readSeq: 99 },
    HeartbeatResponse: { ...envelope, type: 'HeartbeatResponse', readSeq: 98 },
    TimeoutNow: { ...envelope, type: 'TimeoutNow' },
    ReadIndex: { ...envelope, type: 'ReadIndex', requestId: 2 ** 32 + 5 },
    ReadIndexResponse: { ...envelope, type: 'ReadIndexResponse', requestId: 17, index: 1234 },
    Propose: {
      ...envelope,
      type: 'Propose',
      proposalId: 3,
      data: Uint8Array.of(0xde, 0xad, 0x00, 0xbe, 0xef),
    },
    ProposeResponse: { ...envelope, type: 'ProposeResponse', proposalId: 3, index: 44, entryTerm: 7 },
    InstallSnapshot: {
      ...envelope,
      type: 'InstallSnapshot',
      meta: {
        index: 2 ** 33 + 1,
        term: 6,
        config: { voters: [from, to], outgoingVoters: ['x'], learners: ['y'] },
      },
      transferId: 9,
      offset: 65_536,
      data: patternBytes(1000, 9),
      done: true,
    },
    InstallSnapshotResponse: {
      ...envelope,
      type: 'InstallSnapshotResponse',
      transferId: 9,
      snapshotIndex: 2 ** 33 + 1,
      received: 66_536,
      status: 'installed',
    },
  };
  return Object.values(table);
}

/**
 * Messages carrying trace context (codec version 2): an AppendEntries tracing two of its three entries
 * and a Propose with a trace. Contexts are distinct 26-byte patterns, so a transport that drops or
 * mixes them up fails an equality check. Send these only to peers that decode codec version 2.
 */
export function sampleTracedMessages(from: NodeId, to: NodeId): Message[] {
  const envelope = { from, to, term: 7 } as const;
  return [
    {
      ...envelope,
      type: 'AppendEntries',
      prevLogIndex: 40,
      prevLogTerm: 6,
      entries: [
        sampleEntry(41, 7, patternBytes(20, 41)),
        sampleEntry(42, 7, patternBytes(0, 42)),
        sampleEntry(43, 7, patternBytes(30, 43)),
      ],
      leaderCommit: 39,
      traces: [
        { index: 41, context: patternBytes(26, 141) },
        { index: 43, context: patternBytes(26, 143) },
      ],
    },
    {
      ...envelope,
      type: 'Propose',
      proposalId: 4,
      data: Uint8Array.of(0xca, 0xfe),
      trace: patternBytes(26, 4),
    },
  ];
}
