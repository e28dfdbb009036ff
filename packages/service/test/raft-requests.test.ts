import type { RaftNode } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { parseReadConsistency, proposeCommand, readBarrier } from '../src/raft-requests.js';

/** A node double: a leader (or none), and what propose/read do. */
function fakeNode(
  leader: string,
  behaviour: { propose?: () => Promise<unknown>; read?: () => Promise<void> } = {},
) {
  const calls: string[] = [];
  const node = {
    status: () => ({ leader }),
    leader: () => leader,
    propose: (_data: Uint8Array, options: unknown) => {
      calls.push(`propose ${JSON.stringify(options)}`);
      return behaviour.propose?.() ?? Promise.resolve('applied');
    },
    read: (options: unknown) => {
      calls.push(`read ${JSON.stringify(options)}`);
      return behaviour.read?.() ?? Promise.resolve();
    },
  } as unknown as RaftNode<unknown>;
  return { node, calls };
}

const rejecting = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));

describe('raft requests over HTTP', () => {
  it('parseReadConsistency: linearizable by default, lease and stale on request, anything else 400 bad_consistency', () => {
    expect(parseReadConsistency(new URL('http://x/a'))).toBe('linearizable');
    expect(parseReadConsistency(new URL('http://x/a?consistency=lease'))).toBe('lease');
    expect(parseReadConsistency(new URL('http://x/a?consistency=stale'))).toBe('stale');
    expect(() => parseReadConsistency(new URL('http://x/a?consistency=eventual'))).toThrow(
      expect.objectContaining({ status: 400, code: 'bad_consistency' }),
    );
  });

  it('proposeCommand resolves with the result; without a known leader it answers 503 no_leader and proposes nothing', async () => {
    const led = fakeNode('n1');
    expect(await proposeCommand(led.node, new Uint8Array([1]), 500)).toBe('applied');
    expect(led.calls).toEqual(['propose {"timeoutMs":500,"transfer":false}']);
    expect(await proposeCommand(led.node, new Uint8Array([1]), 500, { transfer: true })).toBe('applied');
    expect(led.calls.at(-1)).toBe('propose {"timeoutMs":500,"transfer":true}');
    const leaderless = fakeNode('');
    await expect(proposeCommand(leaderless.node, new Uint8Array([1]), 500)).rejects.toMatchObject({
      status: 503,
      code: 'no_leader',
    });
    expect(leaderless.calls).toEqual([]);
  });

  it('proposeCommand maps Raft errors by code: dropped 503 (not applied), timeout 504 (indeterminate)', async () => {
    const dropped = fakeNode('n1', { propose: rejecting('RAFT_PROPOSAL_DROPPED') });
    await expect(proposeCommand(dropped.node, new Uint8Array([1]), 500)).rejects.toMatchObject({
      status: 503,
      code: 'dropped',
    });
    const late = fakeNode('n1', { propose: rejecting('RAFT_TIMEOUT') });
    await expect(proposeCommand(late.node, new Uint8Array([1]), 500)).rejects.toMatchObject({
      status: 504,
      code: 'timeout',
    });
  });

  it('readBarrier: stale reads skip the barrier, lease reads ask for the lease, linearizable ones need a leader', async () => {
    const led = fakeNode('n1');
    await readBarrier(led.node, 'stale', 100);
    await readBarrier(led.node, 'lease', 100);
    await readBarrier(led.node, 'linearizable', 100);
    expect(led.calls).toEqual([
      'read {"timeoutMs":100,"lease":true}',
      'read {"timeoutMs":100,"lease":false}',
    ]);
    const leaderless = fakeNode('');
    await readBarrier(leaderless.node, 'stale', 100);
    await expect(readBarrier(leaderless.node, 'linearizable', 100)).rejects.toMatchObject({
      code: 'no_leader',
    });
    const failing = fakeNode('n1', { read: rejecting('RAFT_TIMEOUT') });
    await expect(readBarrier(failing.node, 'linearizable', 100)).rejects.toMatchObject({ status: 504 });
  });
});
