import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppendEntries, Message, Propose } from '../engine/messages.js';
import { DecodeError } from '../errors.js';
import {
  messageArb,
  tracedAppendEntriesArb,
  tracedMessageArb,
  tracedProposeArb,
} from './codec-arbitraries.test-support.js';
import { decodeConfig, encodeConfig } from './config-codec.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { decodeHardState, encodeHardState } from './hard-state-codec.js';
import { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';

// Rules: a message carrying trace context is a version 2 frame that round-trips exactly; everything
// else stays a version 1 frame, byte for byte (codec-golden.test.ts pins those); version 2 bytes are
// pinned here the same way, derived by hand from wire-format.ts.

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
function fromHex(text: string): Uint8Array {
  return new Uint8Array(text.split(' ').map((pair) => Number.parseInt(pair, 16)));
}

// The W3C example: version 00, trace id 4bf92f35..., span id 00f067aa0ba902b7, flags 01 (sampled).
const contextHex = '00 4b f9 2f 35 77 b3 4d a6 a3 ce 92 9d 0e 0e 47 36 00 f0 67 aa 0b a9 02 b7 01';
const context = fromHex(contextHex);

const tracedAppend: AppendEntries = {
  type: 'AppendEntries',
  from: 'n1',
  to: 'n3',
  term: 7,
  prevLogIndex: 10,
  prevLogTerm: 6,
  entries: [
    { index: 11, term: 7, type: 'normal', data: new Uint8Array([0xde, 0xad]) },
    { index: 12, term: 7, type: 'config', data: new Uint8Array() },
  ],
  leaderCommit: 9,
  traces: [{ index: 12, context }],
};
// The version 1 AppendEntries of codec-golden.test.ts with version byte 2, then 1 trace: delta 2
// (12 - prevLogIndex 10) and the context.
const tracedAppendHex = `02 00 00 02 6e 31 02 6e 33 07 0a 06 09 02 0b 07 00 02 de ad 0c 07 01 00 01 02 ${contextHex}`;

const tracedPropose: Propose = {
  type: 'Propose',
  from: 'b',
  to: 'a',
  term: 2,
  proposalId: 7,
  data: new Uint8Array([0x78]),
  trace: context,
};
// version 2, kind message, tag 9, "b", "a", term 2, proposalId 7, data [78], hasTrace 1, context
const tracedProposeHex = `02 00 09 01 62 01 61 02 07 01 78 01 ${contextHex}`;

const untracedPropose: Propose = {
  type: 'Propose',
  from: 'b',
  to: 'a',
  term: 2,
  proposalId: 8,
  data: new Uint8Array([0x79]),
};
// A version 2 batch: the untraced Propose gets hasTrace 0, the traced one its context.
const batchHex = `02 01 02 09 01 62 01 61 02 08 01 79 00 09 01 62 01 61 02 07 01 78 01 ${contextHex}`;

function expectDecodeError(decode: () => unknown): void {
  expect(decode).toThrow(DecodeError);
  expect(decode).toThrow(expect.objectContaining({ code: 'RAFT_DECODE' }));
}

describe('codec version 2: trace context', () => {
  it('pins a traced AppendEntries, a traced Propose and a mixed batch', () => {
    expect(hex(encodeMessage(tracedAppend))).toBe(tracedAppendHex);
    expect(decodeMessage(fromHex(tracedAppendHex))).toStrictEqual(tracedAppend);
    expect(hex(encodeMessage(tracedPropose))).toBe(tracedProposeHex);
    expect(decodeMessage(fromHex(tracedProposeHex))).toStrictEqual(tracedPropose);
    expect(hex(encodeMessages([untracedPropose, tracedPropose]))).toBe(batchHex);
    expect(decodeMessages(fromHex(batchHex))).toStrictEqual([untracedPropose, tracedPropose]);
  });

  it('round-trips every traced message exactly, as a version 2 frame', () => {
    fc.assert(
      fc.property(tracedMessageArb, (message) => {
        const bytes = encodeMessage(message);
        expect(bytes[0]).toBe(2);
        expect(decodeMessage(bytes)).toStrictEqual(message);
      }),
      { numRuns: 300 },
    );
  });

  it('a batch is version 2 when any message is traced and its untraced messages decode without trace fields', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 5 }), tracedMessageArb, (untraced, traced) => {
        const messages: Message[] = [...untraced, traced];
        const bytes = encodeMessages(messages);
        expect(bytes[0]).toBe(2);
        expect(decodeMessages(bytes)).toStrictEqual(messages);
      }),
      { numRuns: 200 },
    );
  });

  it('untraced messages stay version 1 frames; an empty traces list is the same as none', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 5 }), (messages) => {
        expect(encodeMessages(messages)[0]).toBe(1);
        for (const message of messages) expect(encodeMessage(message)[0]).toBe(1);
      }),
      { numRuns: 200 },
    );
    const { traces: _dropped, ...untraced } = tracedAppend;
    expect(hex(encodeMessage({ ...untraced, traces: [] }))).toBe(hex(encodeMessage(untraced)));
    expect(encodeMessage(untraced)[0]).toBe(1);
  });

  it('the encoder refuses a context that is not 26 bytes, and trace indices that are not ascending within the entries', () => {
    const bad: AppendEntries[] = [
      { ...tracedAppend, traces: [{ index: 12, context: context.subarray(0, 25) }] },
      { ...tracedAppend, traces: [{ index: 10, context }] }, // at prevLogIndex: not carried
      { ...tracedAppend, traces: [{ index: 13, context }] }, // past the last entry carried
      {
        ...tracedAppend,
        traces: [
          { index: 12, context },
          { index: 11, context },
        ],
      },
      {
        ...tracedAppend,
        traces: [
          { index: 11, context },
          { index: 11, context },
        ],
      },
    ];
    for (const message of bad) {
      expect(() => encodeMessage(message)).toThrow(RangeError);
      expect(() => encodeMessages([message])).toThrow(RangeError);
    }
    expect(() => encodeMessage({ ...tracedPropose, trace: new Uint8Array(27) })).toThrow(RangeError);
  });

  it('decoded contexts are views into the frame, like other payloads', () => {
    fc.assert(
      fc.property(tracedAppendEntriesArb, tracedProposeArb, (append, propose) => {
        const frame = encodeMessages([append, propose]);
        const [decodedAppend, decodedPropose] = decodeMessages(frame) as [AppendEntries, Propose];
        expect(decodedAppend.traces?.[0]?.context.buffer).toBe(frame.buffer);
        expect(decodedPropose.trace?.buffer).toBe(frame.buffer);
      }),
      { numRuns: 20 },
    );
  });
});

describe('decoding malformed version 2 frames', () => {
  const body = (bytesHex: string) => fromHex(bytesHex);
  const appendPrefix = '00 00 02 6e 31 02 6e 33 07 0a 06 09 02 0b 07 00 02 de ad 0c 07 01 00';

  it('rejects every truncation of a valid version 2 frame', () => {
    for (const frame of [tracedAppendHex, tracedProposeHex, batchHex].map(fromHex)) {
      for (let length = 0; length < frame.length; length++) {
        expectDecodeError(() => decodeMessage(frame.subarray(0, length)));
        expectDecodeError(() => decodeMessages(frame.subarray(0, length)));
      }
    }
  });

  it('rejects trailing bytes after a version 2 body', () => {
    expectDecodeError(() => decodeMessage(body(`${tracedAppendHex} 00`)));
    expectDecodeError(() => decodeMessages(body(`${batchHex} 00`)));
  });

  it('rejects a version 2 frame that carries no trace context (version 1 is its canonical form)', () => {
    expectDecodeError(() => decodeMessage(body(`02 ${appendPrefix} 00`)));
    expectDecodeError(() => decodeMessage(body('02 00 09 01 62 01 61 02 07 01 78 00')));
    expectDecodeError(() => decodeMessages(body('02 01 01 09 01 62 01 61 02 08 01 79 00')));
    expectDecodeError(() => decodeMessages(body('02 01 00')));
    // A version 2 frame of a message type without a trace field.
    expectDecodeError(() => decodeMessage(body('02 00 06 01 61 01 62 01')));
  });

  it('rejects a trace index delta of 0, a traced index past the entries carried, and more traces than entries', () => {
    expectDecodeError(() => decodeMessage(body(`02 ${appendPrefix} 01 00 ${contextHex}`)));
    expectDecodeError(() => decodeMessage(body(`02 ${appendPrefix} 01 03 ${contextHex}`)));
    expectDecodeError(() => decodeMessage(body(`02 ${appendPrefix} 02 01 ${contextHex} 00 ${contextHex}`)));
    expectDecodeError(() =>
      decodeMessage(body(`02 ${appendPrefix} 03 01 ${contextHex} 01 ${contextHex} 01 ${contextHex}`)),
    );
    // Two in order are fine.
    const two = decodeMessage(body(`02 ${appendPrefix} 02 01 ${contextHex} 01 ${contextHex}`));
    expect((two as AppendEntries).traces?.map((trace) => trace.index)).toEqual([11, 12]);
  });

  it('rejects a hasTrace byte other than 0 or 1 and a huge trace count without allocating for it', () => {
    expectDecodeError(() => decodeMessage(body(`02 00 09 01 62 01 61 02 07 01 78 02 ${contextHex}`)));
    expectDecodeError(() => decodeMessage(body(`02 ${appendPrefix} ff ff ff ff 0f`)));
  });

  it('rejects version 2 for entry, hard state and config frames, and versions above 2', () => {
    const v1Frames: [Uint8Array, (bytes: Uint8Array) => unknown][] = [
      [encodeEntry({ index: 1, term: 1, type: 'normal', data: new Uint8Array([1]) }), decodeEntry],
      [encodeHardState({ term: 1, vote: 'a', commit: 0 }), decodeHardState],
      [encodeConfig({ voters: ['a'], outgoingVoters: [], learners: [] }), decodeConfig],
    ];
    for (const [frame, decode] of v1Frames) {
      expect(() => decode(frame)).not.toThrow();
      const v2 = frame.slice();
      v2[0] = 2;
      expectDecodeError(() => decode(v2));
    }
    for (const frame of [tracedAppendHex, tracedProposeHex].map(fromHex)) {
      frame[0] = 3;
      expectDecodeError(() => decodeMessage(frame));
    }
  });
});
