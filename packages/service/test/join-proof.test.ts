import { describe, expect, it } from 'vitest';
import { JOIN_PROOF_WINDOW_MS, joinProof, verifyJoinProof } from '../src/join-proof.js';

const claim = { clusterId: 'prod', id: 'n4', address: 'ws://10.0.0.4:7070' };
const now = 1_800_000_000_000;

describe('join proof: a join request proves the cluster secret without sending it', () => {
  it('verifies a fresh proof of the same secret, cluster, id and address', () => {
    expect(verifyJoinProof('s3cret', claim, joinProof('s3cret', claim, now), now)).toBe(true);
    expect(
      verifyJoinProof('s3cret', claim, joinProof('s3cret', claim, now), now + JOIN_PROOF_WINDOW_MS),
    ).toBe(true);
  });

  it('refuses another secret, cluster, id or address: each is bound into the proof', () => {
    const proof = joinProof('s3cret', claim, now);
    expect(verifyJoinProof('other', claim, proof, now)).toBe(false);
    expect(verifyJoinProof('s3cret', { ...claim, clusterId: 'staging' }, proof, now)).toBe(false);
    expect(verifyJoinProof('s3cret', { ...claim, id: 'n5' }, proof, now)).toBe(false);
    expect(verifyJoinProof('s3cret', { ...claim, address: 'ws://evil:1' }, proof, now)).toBe(false);
  });

  it('refuses a proof outside the time window (a replayed capture) and malformed headers', () => {
    const old = joinProof('s3cret', claim, now - JOIN_PROOF_WINDOW_MS - 1);
    expect(verifyJoinProof('s3cret', claim, old, now)).toBe(false);
    for (const header of [
      undefined,
      '',
      't=1',
      'mac=00',
      `t=${now},mac=zz`,
      `t=${now},mac=${'0'.repeat(64)}`,
    ]) {
      expect(verifyJoinProof('s3cret', claim, header, now)).toBe(false);
    }
  });
});
