/**
 * The WGL memo: the (linearized operations, state) pairs already explored. Two search paths that linearized
 * the same operations and reached the same state have the same future, so the second is cut.
 *
 * Extended with dominance for unknown outcomes: a pair is also cut when a stored pair has the same state,
 * the same completed operations and a subset of its unknown-outcome operations. From the stored pair those
 * extra operations are still available (or can be left out), so every way on from the new pair was
 * available from the stored one too. The caller's hash must therefore ignore unknown-outcome operations.
 *
 * A chained hash set over a flat pool of words (the bitset followed by the state), so a million entries
 * of a hundred-operation key cost tens of megabytes, not a million small objects.
 */
export class SearchStateCache {
  readonly #stride: number;
  readonly #completedMask: Uint32Array;
  #pool: Uint32Array;
  #hashes: Uint32Array;
  /** Separate chaining: the first entry of each bucket, and each entry's successor (-1 ends a chain). */
  #buckets: Int32Array;
  #chain: Int32Array;
  #size = 0;

  /** @param completedMask bit i set when operation i has a known outcome; its length is the bitsets' */
  constructor(completedMask: Uint32Array) {
    this.#completedMask = completedMask;
    this.#stride = completedMask.length + 1;
    this.#pool = new Uint32Array(this.#stride * 1024);
    this.#hashes = new Uint32Array(1024);
    this.#chain = new Int32Array(1024);
    this.#buckets = new Int32Array(2048).fill(-1);
  }

  /** Number of distinct pairs stored. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds the pair; returns false when it, or a pair that dominates it, was already present. `hash` must be
   * a function of the state and the completed operations only (the caller maintains it incrementally).
   */
  add(bits: Uint32Array, state: number, hash: number): boolean {
    const bucket = hash & (this.#buckets.length - 1);
    for (let entry = this.#buckets[bucket]!; entry >= 0; entry = this.#chain[entry]!) {
      if (this.#hashes[entry] === hash && this.#dominates(entry, bits, state)) return false;
    }
    if (this.#size === this.#hashes.length) this.#grow();
    const entry = this.#size++;
    const offset = entry * this.#stride;
    this.#pool.set(bits, offset);
    this.#pool[offset + this.#stride - 1] = state;
    this.#hashes[entry] = hash;
    const slot = hash & (this.#buckets.length - 1);
    this.#chain[entry] = this.#buckets[slot]!;
    this.#buckets[slot] = entry;
    return true;
  }

  /** True when the stored entry has this state, these completed operations and no other unknown ones. */
  #dominates(entry: number, bits: Uint32Array, state: number): boolean {
    const offset = entry * this.#stride;
    const pool = this.#pool;
    if (pool[offset + this.#stride - 1] !== state) return false;
    for (let word = 0; word < bits.length; word++) {
      const stored = pool[offset + word]!;
      const current = bits[word]!;
      if ((stored & ~current) !== 0 || (current & ~stored & this.#completedMask[word]!) !== 0) return false;
    }
    return true;
  }

  #grow(): void {
    const capacity = this.#hashes.length * 2;
    const pool = new Uint32Array(this.#stride * capacity);
    pool.set(this.#pool);
    this.#pool = pool;
    const hashes = new Uint32Array(capacity);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.#chain = new Int32Array(capacity);
    // At most one entry per bucket on average once full, so chains of unrelated pairs stay short.
    const buckets = new Int32Array(capacity * 2).fill(-1);
    const mask = buckets.length - 1;
    for (let entry = 0; entry < this.#size; entry++) {
      const slot = hashes[entry]! & mask;
      this.#chain[entry] = buckets[slot]!;
      buckets[slot] = entry;
    }
    this.#buckets = buckets;
  }
}
