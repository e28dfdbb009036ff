import type { Entry } from '@raft/core';
import { chainHash, EMPTY_CHAIN_HASH } from './entry-hash.js';

/** What changed in a node's log between two observations. */
export interface LogChange {
  /** Lowest index whose entry was replaced, removed or added; `lastIndex + 1` when nothing changed. */
  readonly changedFrom: number;
  /** The last index at the previous observation. */
  readonly previousLastIndex: number;
}

/**
 * The checker's own copy of one node instance's log with a chain hash per entry, updated
 * incrementally: an observation costs O(entries changed), not O(log), so the invariants can run after
 * every simulation event.
 *
 * The change scan walks back from the tail while entries differ and stops at the first equal one. Raft
 * only ever replaces a suffix, so an equal entry means the prefix before it is unchanged too.
 */
export class ObservedLog {
  private first = 1;
  private readonly entries: Entry[] = [];
  private readonly chain: number[] = [];
  private base = EMPTY_CHAIN_HASH;

  get firstIndex(): number {
    return this.first;
  }

  get lastIndex(): number {
    return this.first + this.entries.length - 1;
  }

  /**
   * Takes a new observation. `baseHash` is the chain hash at `firstIndex - 1` (only consulted after
   * compaction moved the first index).
   */
  update(firstIndex: number, entries: readonly Entry[], baseHash: number = EMPTY_CHAIN_HASH): LogChange {
    const previousLastIndex = this.lastIndex;
    let keep: number;
    if (firstIndex !== this.first) {
      this.first = firstIndex;
      this.base = baseHash;
      keep = 0;
    } else {
      keep = Math.min(this.entries.length, entries.length);
      while (keep > 0 && !sameEntry(this.entries[keep - 1] as Entry, entries[keep - 1] as Entry)) keep--;
    }
    this.entries.length = keep;
    this.chain.length = keep;
    let hash = keep === 0 ? this.base : (this.chain[keep - 1] as number);
    for (let position = keep; position < entries.length; position++) {
      const entry = entries[position] as Entry;
      hash = chainHash(hash, entry);
      this.entries.push(entry);
      this.chain.push(hash);
    }
    return { changedFrom: this.first + keep, previousLastIndex };
  }

  /** The entry at `index`, if held. */
  entry(index: number): Entry | undefined {
    return this.entries[index - this.first];
  }

  /** The chain hash at `index` (the base hash at `firstIndex - 1`), or undefined outside the log. */
  hashAt(index: number): number | undefined {
    if (index === this.first - 1) return this.base;
    return this.chain[index - this.first];
  }
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  if (a.index !== b.index || a.term !== b.term || a.type !== b.type) return false;
  if (a.data === b.data) return true;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
