import { describe, expect, it } from 'vitest';
import type { Message } from '../engine/messages.js';
import { MESSAGE_TYPES } from '../engine/messages.js';
import { DecodeError } from '../errors.js';
import { decodeConfig, encodeConfig } from './config-codec.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { decodeHardState, encodeHardState } from './hard-state-codec.js';
import { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';

// Rule guarded by every case: a decoder given bad bytes throws DecodeError (code RAFT_DECODE) and
// nothing else, and allocates nothing for a length the frame cannot back.

/** LEB128 of any non-negative integer, including ones above 2^53 that the codec must refuse. */
function leb(value: number | bigint): number[] {
  let rest = BigInt(value);
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}
function str(text: string): number[] {
  const utf8 = [...new TextEncoder().encode(text)];
  return [...leb(utf8.length), ...utf8];
}
const V = 1;
const KIND = { message: 0, batch: 1, entry: 2, hardState: 3, config: 4 } as const;
function frame(...parts: (number | number[])[]): Uint8Array {
  return new Uint8Array(parts.flat());
}
const TAG = (type: Message['type']): number => MESSAGE_TYPES.indexOf(type);

function expectDecodeError(decode: () => unknown): DecodeError {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe('RAFT_DECODE');
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError, but decoding succeeded');
}

const sampleMessage: Message = {
  type: 'AppendEntries',
  from: 'leader',
  to: 'follower',
  term: 4,
  prevLogIndex: 200,
  prevLogTerm: 3,
  entries: [
    { index: 201, term: 4, type: 'normal', data: new Uint8Array([1, 2, 3, 4]) },
    {
      index: 202,
      term: 4,
      type: 'config',
      data: encodeConfig({ voters: ['a'], outgoingVoters: [], learners: [] }),
    },
  ],
  leaderCommit: 150,
};
const validFrames: [string, Uint8Array, (bytes: Uint8Array) => unknown][] = [
  ['message', encodeMessage(sampleMessage), decodeMessage],
  [
    'batch',
    encodeMessages([sampleMessage, { type: 'TimeoutNow', from: 'a', to: 'b', term: 1 }]),
    decodeMessages,
  ],
  ['entry', encodeEntry({ index: 300, term: 2, type: 'normal', data: new Uint8Array([7, 7]) }), decodeEntry],
  ['hard state', encodeHardState({ term: 9, vote: 'n1', commit: 1000 }), decodeHardState],
  ['config', encodeConfig({ voters: ['a', 'b'], outgoingVoters: ['c'], learners: ['d'] }), decodeConfig],
];

describe('decoding malformed frames', () => {
  it('rejects every truncation of a valid frame (a truncated frame)', () => {
    for (const [, bytes, decode] of validFrames) {
      for (let length = 0; length < bytes.length; length++) {
        expectDecodeError(() => decode(bytes.subarray(0, length)));
      }
      expect(() => decode(bytes)).not.toThrow();
    }
  });

  it('rejects an unknown format version', () => {
    for (const [, bytes, decode] of validFrames) {
      for (const version of [0, 2, 255]) {
        const copy = bytes.slice();
        copy[0] = version;
        expectDecodeError(() => decode(copy));
      }
    }
  });

  it('rejects a frame of another kind (each decoder reads only its own frames)', () => {
    for (const [name, bytes] of validFrames) {
      for (const [otherName, , decode] of validFrames) {
        if (name !== otherName) expectDecodeError(() => decode(bytes));
      }
    }
  });

  it('rejects an unknown message type tag, in a single frame and in a batch', () => {
    const unknownTag = MESSAGE_TYPES.length;
    expectDecodeError(() => decodeMessage(frame(V, KIND.message, unknownTag, str('a'), str('b'), 1)));
    expectDecodeError(() => decodeMessage(frame(V, KIND.message, leb(1000), str('a'), str('b'), 1)));
    expectDecodeError(() => decodeMessages(frame(V, KIND.batch, 1, unknownTag, str('a'), str('b'), 1)));
  });

  it('rejects an unknown entry type tag', () => {
    expectDecodeError(() => decodeEntry(frame(V, KIND.entry, 1, 1, 2, 0)));
  });

  it('rejects trailing bytes after a valid body', () => {
    for (const [, bytes, decode] of validFrames) {
      expectDecodeError(() => decode(frame([...bytes], 0)));
    }
  });

  it('rejects a huge declared length in a small frame without allocating for it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = 2 ** 40;
    // Propose whose payload claims 1 TiB.
    expectDecodeError(() =>
      decodeMessage(frame(V, KIND.message, TAG('Propose'), str('a'), str('b'), 1, 7, leb(huge), 1, 2)),
    );
    // AppendEntries claiming 2^40 entries (also past maxEntriesPerMessage) and 50,000 entries (within it).
    for (const count of [huge, 50_000]) {
      expectDecodeError(() =>
        decodeMessage(
          frame(V, KIND.message, TAG('AppendEntries'), str('a'), str('b'), 1, 0, 0, 0, leb(count)),
        ),
      );
    }
    // A batch of 2^40 messages, an id list of 2^40 ids, an id of 2^40 bytes, an entry payload of 2^40.
    expectDecodeError(() => decodeMessages(frame(V, KIND.batch, leb(huge), 6, 0, 0, 1)));
    expectDecodeError(() => decodeConfig(frame(V, KIND.config, leb(huge), 0, 0)));
    expectDecodeError(() => decodeHardState(frame(V, KIND.hardState, 1, leb(huge), 0x61, 0)));
    expectDecodeError(() => decodeEntry(frame(V, KIND.entry, 1, 1, 0, leb(huge), 0)));
    // An id of 1000 bytes (within maxIdBytes) in a frame that holds 3.
    expectDecodeError(() => decodeHardState(frame(V, KIND.hardState, 1, leb(1000), 0x61, 0x62, 0x63)));
    // Had any of these allocated what they declared, at least a gigabyte would show up here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('rejects a varint above 2^53 - 1, a varint longer than 8 bytes and an overlong varint', () => {
    const withTerm = (term: number[]) => frame(V, KIND.hardState, term, str('v'), 0);
    expect(decodeHardState(withTerm(leb(Number.MAX_SAFE_INTEGER))).term).toBe(Number.MAX_SAFE_INTEGER);
    expectDecodeError(() => decodeHardState(withTerm(leb(2n ** 53n))));
    expectDecodeError(() => decodeHardState(withTerm(leb(2n ** 56n - 1n))));
    expectDecodeError(() => decodeHardState(withTerm(leb(2n ** 64n))));
    expectDecodeError(() =>
      decodeHardState(withTerm([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
    );
    // Overlong: 0 and 1 with a redundant continuation group are not canonical.
    expectDecodeError(() => decodeHardState(withTerm([0x80, 0x00])));
    expectDecodeError(() => decodeHardState(withTerm([0x81, 0x80, 0x00])));
  });

  it('rejects invalid UTF-8 in a node id', () => {
    const invalid = [
      [0xff],
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate
      [0xe2, 0x82], // truncated sequence
      [0x61, 0x80], // stray continuation byte after ASCII
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    ];
    for (const id of invalid) {
      expectDecodeError(() => decodeHardState(frame(V, KIND.hardState, 1, id.length, id, 0)));
      expectDecodeError(() =>
        decodeMessage(frame(V, KIND.message, TAG('TimeoutNow'), id.length, id, str('b'), 1)),
      );
      expectDecodeError(() => decodeConfig(frame(V, KIND.config, 1, id.length, id, 0, 0)));
    }
  });

  it('keeps a leading U+FEFF in an id instead of stripping it as a byte-order mark', () => {
    expect(decodeHardState(encodeHardState({ term: 1, vote: '\uFEFFx', commit: 0 })).vote).toBe('\uFEFFx');
  });

  it('rejects a boolean byte other than 0 or 1', () => {
    for (const bad of [2, 0x80, 0xff]) {
      expectDecodeError(() =>
        decodeMessage(frame(V, KIND.message, TAG('RequestVoteResponse'), str('a'), str('b'), 1, bad, 0)),
      );
      expectDecodeError(() =>
        decodeMessage(frame(V, KIND.message, TAG('RequestVoteResponse'), str('a'), str('b'), 1, 1, bad)),
      );
    }
    const ok = decodeMessage(frame(V, KIND.message, TAG('RequestVoteResponse'), str('a'), str('b'), 1, 1, 0));
    expect(ok).toStrictEqual({
      type: 'RequestVoteResponse',
      from: 'a',
      to: 'b',
      term: 1,
      preVote: true,
      granted: false,
    });
  });

  it('rejects input that is not a Uint8Array', () => {
    for (const input of [undefined, null, 'bytes', [1, 0, 6], new ArrayBuffer(8)]) {
      expectDecodeError(() => decodeMessage(input as unknown as Uint8Array));
    }
  });
});

describe('decode limits', () => {
  const bigAppend = encodeMessage({
    ...sampleMessage,
    entries: Array.from({ length: 10 }, (_, i) => ({
      index: i + 1,
      term: 1,
      type: 'normal' as const,
      data: new Uint8Array(),
    })),
  });

  it('rejects a frame longer than maxFrameBytes before reading it', () => {
    expect(() => decodeMessage(bigAppend, { maxFrameBytes: bigAppend.length })).not.toThrow();
    expectDecodeError(() => decodeMessage(bigAppend, { maxFrameBytes: bigAppend.length - 1 }));
  });

  it('rejects more entries than maxEntriesPerMessage even when the frame holds them', () => {
    expect(() => decodeMessage(bigAppend, { maxEntriesPerMessage: 10 })).not.toThrow();
    expectDecodeError(() => decodeMessage(bigAppend, { maxEntriesPerMessage: 9 }));
  });

  it('rejects more messages than maxMessagesPerBatch', () => {
    const three = encodeMessages(Array(3).fill({ type: 'TimeoutNow', from: 'a', to: 'b', term: 1 }));
    expect(decodeMessages(three, { maxMessagesPerBatch: 3 })).toHaveLength(3);
    expectDecodeError(() => decodeMessages(three, { maxMessagesPerBatch: 2 }));
  });

  it('rejects an id longer than maxIdBytes, counting UTF-8 bytes', () => {
    const bytes = encodeHardState({ term: 1, vote: 'ééé', commit: 0 }); // 6 bytes of UTF-8
    expect(decodeHardState(bytes, { maxIdBytes: 6 }).vote).toBe('ééé');
    expectDecodeError(() => decodeHardState(bytes, { maxIdBytes: 5 }));
    const longId = 'x'.repeat(1025);
    expectDecodeError(() =>
      decodeConfig(encodeConfig({ voters: [longId], outgoingVoters: [], learners: [] })),
    );
  });

  it('falls back to the default for a limit that is not a non-negative number', () => {
    const frameOf = encodeHardState({ term: 1, vote: 'x'.repeat(1025), commit: 0 });
    expectDecodeError(() => decodeHardState(frameOf, { maxIdBytes: Number.NaN }));
    expectDecodeError(() => decodeHardState(frameOf, { maxIdBytes: -1 }));
  });
});
