/**
 * The WGL memo: the set of (linearized operations, state) pairs already explored. Two search paths that
 * linearized the same operations and reached the same state have the same future, so the second is cut.
 *
 * An open-addressing hash set over a flat pool of words (the bitset followed by the state), so a million
 * entries of a hundred-operation key cost tens of megabytes, not a million small objects.
 */
export class SearchStateCache {
  readonly #stride: number;
  #pool: Uint32Array;
  #hashes: Uint32Array;
  #slots: Int32Array;
  #size = 0;

  /** @param words length of the bitsets that will be stored */
  constructor(words: number) {
    this.#stride = words + 1;
    this.#pool = new Uint32Array(this.#stride * 1024);
    this.#hashes = new Uint32Array(1024);
    this.#slots = new Int32Array(2048).fill(-1);
  }

  /** Number of distinct pairs stored. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds the pair; returns false when it was already present. `hash` must be a function of the pair only
   * (the caller maintains it incrementally).
   */
  add(bits: Uint32Array, state: number, hash: number): boolean {
    const stride = this.#stride;
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.#slots[slot]!;
      if (entry < 0) break;
      if (this.#hashes[entry] === hash && this.#equals(entry, bits, state)) return false;
      slot = (slot + 1) & mask;
    }
    if (this.#size === this.#hashes.length) {
      this.#grow();
      return this.add(bits, state, hash);
    }
    const entry = this.#size++;
    const offset = entry * stride;
    this.#pool.set(bits, offset);
    this.#pool[offset + stride - 1] = state;
    this.#hashes[entry] = hash;
    this.#slots[slot] = entry;
    return true;
  }

  #equals(entry: number, bits: Uint32Array, state: number): boolean {
    const offset = entry * this.#stride;
    const pool = this.#pool;
    if (pool[offset + this.#stride - 1] !== state) return false;
    for (let word = 0; word < bits.length; word++) {
      if (pool[offset + word] !== bits[word]) return false;
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
    // Load factor stays at most one half, so probe chains stay short.
    const slots = new Int32Array(capacity * 2).fill(-1);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.#size; entry++) {
      let slot = hashes[entry]! & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.#slots = slots;
  }
}
