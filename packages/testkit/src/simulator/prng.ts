/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32). Every random choice in a
 * simulation derives from one seed, so a failing run replays bit for bit. Not for cryptography.
 */
export interface Prng {
  /** A float in [0, 1). Usable as a `RandomSource`. */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /**
   * An independent generator derived from this one. Giving each concern (network, faults, clients, each
   * node) its own stream keeps one concern's draws from shifting another's when code changes.
   */
  fork(): Prng;
}

/** Creates a {@link Prng} from a 32-bit seed (any number; it is truncated to 32 bits). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  // splitmix32 spreads a small seed over the 128 bits sfc32 needs.
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return sfc32(splitmix(), splitmix(), splitmix(), splitmix());
}

function sfc32(seedA: number, seedB: number, seedC: number, seedD: number): Prng {
  let a = seedA | 0;
  let b = seedB | 0;
  let c = seedC | 0;
  let d = seedD | 0;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes poorly right after seeding.
  for (let i = 0; i < 12; i++) nextUint32();
  const next = (): number => nextUint32() / 4294967296;
  const prng: Prng = {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    between: (min, max) => min + next() * (max - min),
    chance: (p) => p > 0 && next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[Math.floor(next() * items.length)] as T;
    },
    fork: () => sfc32(nextUint32(), nextUint32(), nextUint32(), nextUint32()),
  };
  return prng;
}
