import { encodeMessages, type Message } from '@raft/core';
import { sampleMessages } from '@raft/testkit/conformance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_OVERHEAD_BYTES, messageSizeBound } from './message-size-bound.js';
import { SendQueue } from './send-queue.js';

const heartbeat = (readSeq: number): Message => ({
  type: 'Heartbeat',
  from: 'a',
  to: 'b',
  term: 1,
  commit: 0,
  readSeq,
});

describe('messageSizeBound', () => {
  it('is an upper bound of the encoded size, so frames built from bounds never exceed maxFrameBytes', () => {
    // Ids with multi-byte characters and numbers at their widest varints are the worst cases.
    const id = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));
    const num = fc.oneof(fc.nat(200), fc.maxSafeNat());
    const data = fc.uint8Array({ maxLength: 64 });
    const entry = fc.record({ index: num, term: num, type: fc.constantFrom('normal', 'config'), data });
    const message: fc.Arbitrary<Message> = fc.oneof(
      fc.record({ type: fc.constant('Heartbeat'), from: id, to: id, term: num, commit: num, readSeq: num }),
      fc.record({
        type: fc.constant('AppendEntries'),
        from: id,
        to: id,
        term: num,
        prevLogIndex: num,
        prevLogTerm: num,
        leaderCommit: num,
        entries: fc.array(entry, { maxLength: 5 }),
      }),
      fc.record({
        type: fc.constant('AppendEntriesResponse'),
        from: id,
        to: id,
        term: num,
        success: fc.boolean(),
        matchIndex: num,
        rejectedIndex: num,
        hintIndex: num,
        hintTerm: num,
      }),
      fc.record({ type: fc.constant('Propose'), from: id, to: id, term: num, proposalId: num, data }),
      // Trace context (codec version 2): a traced Propose, and an AppendEntries tracing every entry.
      fc.record({
        type: fc.constant('Propose'),
        from: id,
        to: id,
        term: num,
        proposalId: num,
        data,
        trace: fc.uint8Array({ minLength: 26, maxLength: 26 }),
      }),
      fc
        .record({
          from: id,
          to: id,
          term: num,
          prevLogIndex: fc.nat(2 ** 40),
          prevLogTerm: num,
          leaderCommit: num,
          entries: fc.array(entry, { minLength: 1, maxLength: 5 }),
        })
        .map((fields) => ({
          ...fields,
          type: 'AppendEntries' as const,
          traces: fields.entries.map((_, i) => ({
            index: fields.prevLogIndex + i + 1,
            context: new Uint8Array(26).fill(i),
          })),
        })),
      // Snapshot chunks carry the configuration, member addresses included.
      fc.record({
        type: fc.constant('InstallSnapshot'),
        from: id,
        to: id,
        term: num,
        meta: fc.record({
          index: num,
          term: num,
          config: fc.record(
            {
              voters: fc.array(id, { maxLength: 4 }),
              outgoingVoters: fc.array(id, { maxLength: 4 }),
              learners: fc.array(id, { maxLength: 4 }),
              addresses: fc.dictionary(id, fc.string({ minLength: 100, maxLength: 200 }), { maxKeys: 4 }),
            },
            { requiredKeys: ['voters', 'outgoingVoters', 'learners'] },
          ),
        }),
        transferId: num,
        offset: num,
        data,
        done: fc.boolean(),
      }),
      fc.constantFrom(...sampleMessages('a', 'b')),
    ) as fc.Arbitrary<Message>;
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const bound = BATCH_OVERHEAD_BYTES + messages.reduce((sum, m) => sum + messageSizeBound(m), 0);
        expect(encodeMessages(messages).length).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SendQueue', () => {
  it('refuses a message over maxMessages instead of growing', () => {
    const queue = new SendQueue(3, 1 << 20);
    expect([1, 2, 3, 4].map((seq) => queue.push(heartbeat(seq)))).toEqual([true, true, true, false]);
    expect(queue.length).toBe(3);
  });

  it('refuses a message over maxBytes instead of growing', () => {
    const one = messageSizeBound(heartbeat(1));
    const queue = new SendQueue(100, one * 2);
    expect([1, 2, 3].map((seq) => queue.push(heartbeat(seq)))).toEqual([true, true, false]);
    expect(queue.bytes).toBe(one * 2);
  });

  it('takes the oldest messages that fit the budget, and always at least one', () => {
    const queue = new SendQueue(100, 1 << 20);
    for (let seq = 0; seq < 10; seq++) queue.push(heartbeat(seq));
    const one = messageSizeBound(heartbeat(0));
    const batch = queue.take(BATCH_OVERHEAD_BYTES + 3 * one);
    expect(batch.map((message) => (message.type === 'Heartbeat' ? message.readSeq : -1))).toEqual([0, 1, 2]);
    expect(queue.take(1)).toHaveLength(1);
    expect(queue.length).toBe(6);
    expect(queue.clear()).toHaveLength(6);
    expect(queue.bytes).toBe(0);
  });
});
