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
   * Takes a new observation. `baseHash` is the committed chain hash at `firstIndex - 1`, when known:
   * after compaction or a snapshot install moved the first index, the log continues from it.
   */
  update(firstIndex: number, entries: readonly Entry[], baseHash?: number): LogChange {
    const previousLastIndex = this.lastIndex;
    if (firstIndex !== this.first) this.rebase(firstIndex, baseHash);
    let keep = Math.min(this.entries.length, entries.length);
    while (keep > 0 && !sameEntry(this.entries[keep - 1] as Entry, entries[keep - 1] as Entry)) keep--;
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

  /**
   * The log now starts at `firstIndex`. Moving forward (compaction, or an install that kept a suffix)
   * drops the prefix and keeps what follows, so only real changes count as changes; the chain
   * continues from the committed hash at the new start when known, else from our own.
   */
  private rebase(firstIndex: number, baseHash: number | undefined): void {
    const shift = firstIndex - this.first;
    if (shift > 0 && shift <= this.entries.length) {
      this.base = baseHash ?? (this.chain[shift - 1] as number);
      this.entries.splice(0, shift);
      this.chain.splice(0, shift);
    } else {
      this.base = baseHash ?? EMPTY_CHAIN_HASH;
      this.entries.length = 0;
      this.chain.length = 0;
    }
    this.first = firstIndex;
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
