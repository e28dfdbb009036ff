import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, type Message } from '../engine/messages.js';
import { messageArb, messageArbs } from './codec-arbitraries.test-support.js';
import { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';

// fast-check prints the seed and the shrunk counterexample of any failure; replay with { seed, path }.
describe('message codec', () => {
  it('has an arbitrary for every member of MESSAGE_TYPES (so the round trips below cover the union)', () => {
    expect(Object.keys(messageArbs).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  for (const type of MESSAGE_TYPES) {
    it(`round-trips every ${type} to a deeply equal message`, () => {
      fc.assert(
        fc.property(messageArbs[type], (message: Message) => {
          const bytes = encodeMessage(message);
          expect(decodeMessage(bytes)).toStrictEqual(message);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('writes the tag as the position of the type in MESSAGE_TYPES', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        // Byte 2 is the first byte of the tag varint; every tag is below 128, so it is the whole tag.
        expect(encodeMessage(message)[2]).toBe(MESSAGE_TYPES.indexOf(message.type));
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips a batch of mixed messages in order, including the empty batch', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 12 }), (messages) => {
        expect(decodeMessages(encodeMessages(messages))).toStrictEqual(messages);
      }),
      { numRuns: 150 },
    );
  });

  it('a batch frame is exactly as long as its messages encoded one by one, less their headers', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 5 }), (messages) => {
        const single = messages.reduce((sum, m) => sum + encodeMessage(m).length - 2, 0);
        // Header (2) + count varint (1 byte below 128 messages).
        expect(encodeMessages(messages).length).toBe(2 + 1 + single);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps single-message and batch frames apart: each decoder rejects the other kind', () => {
    const message: Message = { type: 'TimeoutNow', from: 'a', to: 'b', term: 3 };
    expect(() => decodeMessages(encodeMessage(message))).toThrow(
      expect.objectContaining({ code: 'RAFT_DECODE' }),
    );
    expect(() => decodeMessage(encodeMessages([message]))).toThrow(
      expect.objectContaining({ code: 'RAFT_DECODE' }),
    );
  });

  it('decodes payloads as views into the frame (no copy) that are plain Uint8Arrays, even from a Buffer', () => {
    const message: Message = {
      type: 'Propose',
      from: 'a',
      to: 'b',
      term: 1,
      proposalId: 7,
      data: new Uint8Array([1, 2, 3]),
    };
    const frame = encodeMessage(message);
    const decoded = decodeMessage(frame);
    if (decoded.type !== 'Propose') throw new Error('expected Propose');
    expect(decoded.data.buffer).toBe(frame.buffer);
    const fromBuffer = decodeMessage(Buffer.from(frame));
    if (fromBuffer.type !== 'Propose') throw new Error('expected Propose');
    expect(fromBuffer.data.constructor).toBe(Uint8Array);
    expect(fromBuffer).toStrictEqual(message);
  });

  it('encodes into a buffer of exactly the frame size (one allocation, no slack)', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const bytes = encodeMessage(message);
        expect(bytes.byteOffset).toBe(0);
        expect(bytes.buffer.byteLength).toBe(bytes.length);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses to encode numbers the wire cannot carry (negative, fractional, NaN, above 2^53 - 1)', () => {
    for (const term of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expect(() => encodeMessage({ type: 'TimeoutNow', from: 'a', to: 'b', term })).toThrow(RangeError);
    }
    expect(() => encodeMessage({ type: 'Nope', from: 'a', to: 'b', term: 1 } as unknown as Message)).toThrow(
      RangeError,
    );
  });
});
