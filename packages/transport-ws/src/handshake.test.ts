import { describe, expect, it } from 'vitest';
import {
  computeProof,
  encodeHandshake,
  newNonce,
  type ProofContext,
  parseChallenge,
  parseHello,
  parseWelcome,
  verifyProof,
} from './handshake.js';

const secret = new TextEncoder().encode('cluster secret');
const context: ProofContext = {
  clusterId: 'orders',
  clientId: 'n1',
  serverId: 'n2',
  serverNonce: newNonce(),
  clientNonce: newNonce(),
};

describe('HMAC proofs', () => {
  it('a proof verifies for the same secret, direction and context', () => {
    const proof = computeProof(secret, 'client-to-server', context);
    expect(verifyProof(secret, 'client-to-server', context, proof)).toBe(true);
  });

  it('a proof is bound to the secret', () => {
    const proof = computeProof(new TextEncoder().encode('guess'), 'client-to-server', context);
    expect(verifyProof(secret, 'client-to-server', context, proof)).toBe(false);
  });

  it('a proof cannot be reflected: the direction is bound', () => {
    const proof = computeProof(secret, 'client-to-server', context);
    expect(verifyProof(secret, 'server-to-client', context, proof)).toBe(false);
  });

  it('a proof is bound to the cluster id, both node ids and both nonces (no replay, no reuse)', () => {
    const proof = computeProof(secret, 'client-to-server', context);
    const changes: Partial<ProofContext>[] = [
      { clusterId: 'payments' },
      { clientId: 'n3' },
      { serverId: 'n3' },
      { serverNonce: newNonce() },
      { clientNonce: newNonce() },
      // Moving a character across a field boundary must not give the same input.
      { clientId: 'n1n', serverId: '2' },
    ];
    for (const change of changes) {
      expect(
        verifyProof(secret, 'client-to-server', { ...context, ...change }, proof),
        JSON.stringify(change),
      ).toBe(false);
    }
  });

  it('proofs of the wrong length or encoding are refused without throwing', () => {
    for (const proof of ['', 'AAAA', '!!!', 'x'.repeat(64)]) {
      expect(verifyProof(secret, 'client-to-server', context, proof)).toBe(false);
    }
  });

  it('insecure mode sends an empty proof', () => {
    expect(computeProof(undefined, 'client-to-server', context)).toBe('');
  });
});

describe('handshake messages', () => {
  it('round-trip through their text encoding', () => {
    const nonce = newNonce();
    expect(parseChallenge(encodeHandshake({ type: 'challenge', version: 1, nonce }))).toEqual({
      type: 'challenge',
      version: 1,
      nonce,
    });
    const hello = {
      type: 'hello',
      version: 1,
      clusterId: 'c',
      from: 'a',
      to: 'b',
      nonce,
      proof: 'p',
    } as const;
    expect(parseHello(encodeHandshake(hello))).toEqual(hello);
    expect(parseWelcome(encodeHandshake({ type: 'welcome', proof: 'p' }))).toEqual({
      type: 'welcome',
      proof: 'p',
    });
  });

  it('malformed, mistyped, oversized or other-version messages parse to undefined', () => {
    const nonce = newNonce();
    const hello = { type: 'hello', version: 1, clusterId: 'c', from: 'a', to: 'b', nonce, proof: '' };
    const bad = [
      '',
      'null',
      '[]',
      '{"type":"hello"',
      JSON.stringify({ ...hello, version: 2 }),
      JSON.stringify({ ...hello, from: '' }),
      JSON.stringify({ ...hello, to: 7 }),
      JSON.stringify({ ...hello, nonce: 'short' }),
      JSON.stringify({ ...hello, clusterId: 'x'.repeat(2000) }),
      JSON.stringify({ ...hello, proof: 'p'.repeat(100) }),
      JSON.stringify({ ...hello, type: 'welcome' }),
      `${JSON.stringify(hello)}${' '.repeat(10_000)}`,
    ];
    for (const text of bad) expect(parseHello(text), text.slice(0, 80)).toBeUndefined();
    expect(parseChallenge(JSON.stringify({ type: 'challenge', version: 1, nonce: 'AAAA' }))).toBeUndefined();
    expect(parseWelcome(JSON.stringify({ type: 'welcome' }))).toBeUndefined();
  });
});
