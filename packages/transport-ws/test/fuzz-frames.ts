// Test support: seeded generators of random, mutated and hostile frames for the fuzz test.
import { type Entry, encodeMessages, type Message, type NodeId } from '@raft/core';
import { sampleMessages } from '@raft/testkit/conformance';

/** A seeded PRNG (mulberry32): the same seed gives the same frames. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FrameFuzzer {
  private readonly templates = new Map<string, Message[]>();

  constructor(private readonly random: () => number) {}

  private template(from: NodeId, to: NodeId): Message {
    const key = JSON.stringify([from, to]);
    let messages = this.templates.get(key);
    if (messages === undefined) {
      messages = sampleMessages(from, to);
      if (this.templates.size < 64) this.templates.set(key, messages);
    }
    return messages[this.int(messages.length)]!;
  }

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** Small numbers mostly, sometimes up to 2^53 - 1 (the widest varint). */
  number(): number {
    return this.chance(0.8) ? this.int(1000) : this.int(Number.MAX_SAFE_INTEGER);
  }

  text(maxLength: number): string {
    const length = this.int(maxLength + 1);
    let out = '';
    for (let i = 0; i < length; i++) {
      out += this.chance(0.9)
        ? String.fromCharCode(32 + this.int(95))
        : String.fromCodePoint(this.int(0x10ffff));
    }
    return out;
  }

  entry(): Entry {
    return {
      index: this.number(),
      term: this.number(),
      type: this.chance(0.9) ? 'normal' : 'config',
      data: this.bytes(this.int(200)),
    };
  }

  /** A well-formed message of any type with random fields; usually from `from` to `to`. */
  message(from: NodeId, to: NodeId): Message {
    const template = this.template(
      this.chance(0.95) ? from : this.text(8),
      this.chance(0.95) ? to : this.text(8),
    );
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (typeof value === 'number') fields[key] = this.number();
      else if (typeof value === 'boolean') fields[key] = this.chance(0.5);
      else if (value instanceof Uint8Array) fields[key] = this.bytes(this.int(300));
      else if (key === 'entries') fields[key] = Array.from({ length: this.int(5) }, () => this.entry());
      else fields[key] = value;
    }
    return fields as unknown as Message;
  }

  /** A valid batch frame of 1 to 8 random messages. */
  validFrame(from: NodeId, to: NodeId): Uint8Array {
    return encodeMessages(Array.from({ length: 1 + this.int(8) }, () => this.message(from, to)));
  }

  /** `frame` damaged in one of several ways (most no longer decode). */
  mutate(frame: Uint8Array): Uint8Array {
    const copy = frame.slice();
    switch (this.int(8)) {
      case 0: // flip a few bytes
        for (let i = 1 + this.int(4); i > 0 && copy.length > 0; i--) {
          const at = this.int(copy.length);
          copy[at] = copy[at]! ^ (1 + this.int(255));
        }
        return copy;
      case 1: // truncate
        return copy.subarray(0, this.int(copy.length));
      case 2: // trailing garbage
        return concat(copy, this.bytes(1 + this.int(16)));
      case 3: {
        // insert bytes in the middle
        const at = this.int(copy.length + 1);
        return concat(concat(copy.subarray(0, at), this.bytes(1 + this.int(8))), copy.subarray(at));
      }
      case 4: // another version or frame kind
        copy[this.int(Math.min(2, copy.length))] = this.int(256);
        return copy;
      case 5: // a huge declared count or length right after the header
        return concat(
          copy.subarray(0, 2),
          concat(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), copy.subarray(2)),
        );
      case 6: // random bytes
        return this.bytes(this.int(64));
      default: // duplicate a slice
        return concat(copy, copy.subarray(this.int(copy.length)));
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
