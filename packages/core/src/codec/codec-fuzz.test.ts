import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/seeded-random.js';
import { DecodeError } from '../errors.js';
import {
  configArb,
  entryArb,
  hardStateArb,
  messageArb,
  tracedMessageArb,
} from './codec-arbitraries.test-support.js';
import { decodeConfig, encodeConfig } from './config-codec.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { decodeHardState, encodeHardState } from './hard-state-codec.js';
import { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';

// Rules: (1) decoding any bytes either returns a value or throws DecodeError with code RAFT_DECODE,
// nothing else; (2) no single decode takes long; (3) the format is canonical: any frame a decoder
// accepts re-encodes to exactly the same bytes.
// Replay a failure with CODEC_FUZZ_SEED=<seed printed below>.

const SEED = Number(process.env['CODEC_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
const RANDOM_INPUTS = 100_000;
const MUTATED_INPUTS = 40_000;

interface Codec {
  readonly name: string;
  readonly kind: number;
  decode(bytes: Uint8Array): unknown;
  encode(value: unknown): Uint8Array;
}
const codecs: readonly Codec[] = [
  { name: 'decodeMessage', kind: 0, decode: decodeMessage, encode: encodeMessage as Codec['encode'] },
  { name: 'decodeMessages', kind: 1, decode: decodeMessages, encode: encodeMessages as Codec['encode'] },
  { name: 'decodeEntry', kind: 2, decode: decodeEntry, encode: encodeEntry as Codec['encode'] },
  { name: 'decodeHardState', kind: 3, decode: decodeHardState, encode: encodeHardState as Codec['encode'] },
  { name: 'decodeConfig', kind: 4, decode: decodeConfig, encode: encodeConfig as Codec['encode'] },
];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 64), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs every decoder over inputs and records the first broken rule. Decode speed is not asserted here
 * (timed unit tests flake on a loaded machine); bounded work per frame is guaranteed by construction
 * (lengths are checked against the remaining bytes before anything is read or allocated) and by the
 * malformed-frame tests.
 */
class FuzzRun {
  failure: string | undefined;
  accepted = 0;
  decodes = 0;

  check(codec: Codec, bytes: Uint8Array): void {
    this.decodes++;
    let value: unknown;
    let threw: unknown;
    let ok = false;
    try {
      value = codec.decode(bytes);
      ok = true;
    } catch (error) {
      threw = error;
    }
    if (this.failure !== undefined) return;
    if (!ok) {
      if (!(threw instanceof DecodeError) || threw.code !== 'RAFT_DECODE') {
        this.failure = `${codec.name}(${hex(bytes)}) threw ${String(threw)} (seed ${SEED})`;
      }
      return;
    }
    this.accepted++;
    const again = codec.encode(value);
    if (hex(again) !== hex(bytes) || again.length !== bytes.length) {
      this.failure = `${codec.name} accepted ${hex(bytes)} but re-encodes it as ${hex(again)} (seed ${SEED})`;
    }
  }
}

/** Bytes biased toward what the format holds: small varints, 0/1 booleans, continuation bytes. */
function randomByte(random: () => number): number {
  const pick = random();
  if (pick < 0.45) return Math.floor(random() * 8);
  if (pick < 0.6) return 0x80 | Math.floor(random() * 128);
  if (pick < 0.65) return 0xff;
  return Math.floor(random() * 256);
}

function validFrames(seed: number): Uint8Array[][] {
  const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number) => fc.sample(arb, { seed, numRuns });
  // Untraced messages make version 1 frames; a traced one makes its frame (or batch) version 2.
  const anyMessage = fc.oneof(
    { arbitrary: messageArb, weight: 3 },
    { arbitrary: tracedMessageArb, weight: 1 },
  );
  return [
    sample(anyMessage, 300).map(encodeMessage),
    sample(fc.array(anyMessage, { maxLength: 4 }), 100).map(encodeMessages),
    sample(entryArb, 100).map(encodeEntry),
    sample(hardStateArb, 100).map(encodeHardState),
    sample(configArb, 100).map(encodeConfig),
  ];
}

function mutate(frame: Uint8Array, other: Uint8Array, random: () => number): Uint8Array {
  let bytes = frame.slice();
  const rounds = 1 + Math.floor(random() * 3);
  for (let round = 0; round < rounds; round++) {
    const at = Math.floor(random() * (bytes.length + 1));
    switch (Math.floor(random() * 6)) {
      case 0: // flip a bit
        if (at < bytes.length) bytes[at]! ^= 1 << Math.floor(random() * 8);
        break;
      case 1: // overwrite a byte
        if (at < bytes.length) bytes[at] = randomByte(random);
        break;
      case 2: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 3: {
        // extend
        const extra = Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomByte(random));
        bytes = new Uint8Array([...bytes, ...extra]);
        break;
      }
      case 4: {
        // splice in random bytes in place of a range
        const end = Math.min(bytes.length, at + Math.floor(random() * 6));
        const insert = Array.from({ length: Math.floor(random() * 6) }, () => randomByte(random));
        bytes = new Uint8Array([...bytes.subarray(0, at), ...insert, ...bytes.subarray(end)]);
        break;
      }
      default: {
        // splice in a slice of another valid frame (plausible fields in the wrong place)
        const from = Math.floor(random() * other.length);
        const piece = other.subarray(from, from + 1 + Math.floor(random() * 12));
        bytes = new Uint8Array([...bytes.subarray(0, at), ...piece, ...bytes.subarray(at)]);
        break;
      }
    }
  }
  return bytes;
}

describe(`codec fuzz (seed ${SEED})`, () => {
  it('random byte strings: every decoder returns or throws DecodeError, and is canonical', () => {
    console.info(`codec fuzz seed ${SEED} (replay: CODEC_FUZZ_SEED=${SEED})`);
    const random = seededRandom(SEED);
    const run = new FuzzRun();
    for (let i = 0; i < RANDOM_INPUTS; i++) {
      const bytes = new Uint8Array(Math.floor(random() * 48));
      for (let j = 0; j < bytes.length; j++) bytes[j] = randomByte(random);
      for (const codec of codecs) {
        // Mostly a valid header for this decoder, so the body gets parsed; sometimes left random.
        // Message frames also get version 2 (trace context), which must be just as strict.
        if (bytes.length >= 2 && random() < 0.9) {
          bytes[0] = codec.kind <= 1 && random() < 0.3 ? 2 : 1;
          bytes[1] = codec.kind;
        }
        run.check(codec, bytes);
      }
    }
    expect(run.failure).toBeUndefined();
    expect(run.decodes).toBe(RANDOM_INPUTS * codecs.length);
  });

  it('mutated valid frames (flip, overwrite, truncate, extend, splice): same rules', () => {
    const random = seededRandom(SEED ^ 0x5eed);
    const pools = validFrames(SEED);
    const run = new FuzzRun();
    // The unmutated frames are accepted and canonical too.
    pools.forEach((pool, kind) => {
      for (const frame of pool) run.check(codecs[kind]!, frame);
    });
    expect(run.accepted).toBe(pools.reduce((sum, pool) => sum + pool.length, 0));
    for (let i = 0; i < MUTATED_INPUTS; i++) {
      const pool = pools[Math.floor(random() * pools.length)]!;
      const otherPool = pools[Math.floor(random() * pools.length)]!;
      const bytes = mutate(
        pool[Math.floor(random() * pool.length)]!,
        otherPool[Math.floor(random() * otherPool.length)]!,
        random,
      );
      for (const codec of codecs) run.check(codec, bytes);
    }
    expect(run.failure).toBeUndefined();
  });
});
