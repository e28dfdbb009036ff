/** A seeded PRNG (a 31-bit linear congruential generator): a failing run replays from its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = Math.abs(Math.floor(seed)) % 2_147_483_648;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** The seed of this run: `RAFT_LOCKS_TEST_SEED`, else one from the clock. */
export function testSeed(): number {
  return Number(process.env['RAFT_LOCKS_TEST_SEED'] ?? Date.now() % 100_000);
}
