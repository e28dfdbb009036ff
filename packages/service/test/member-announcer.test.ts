import type { RaftNode } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../src/json-logger.js';
import { announceMember } from '../src/member-announcer.js';
import { waitUntil } from '../src/process-cluster.js';

const quiet = createJsonLogger('error', () => {});

describe('announceMember', () => {
  it('waits for a leader, proposes the command once it has one, and stops once it went through', async () => {
    let leader = '';
    const proposed: string[] = [];
    let known = false;
    let looks = 0;
    const node = {
      status: () => {
        looks++;
        return { leader };
      },
      propose: async (data: Uint8Array) => {
        proposed.push(new TextDecoder().decode(data));
        known = true;
      },
    } as unknown as RaftNode<unknown>;
    const announcer = announceMember({
      node,
      isKnown: () => known,
      command: () => new TextEncoder().encode('n1 is at http://x'),
      logger: quiet,
      retryMs: 5,
    });
    await waitUntil('a few looks for a leader', () => looks >= 3, { timeoutMs: 2_000, intervalMs: 5 });
    expect(proposed).toEqual([]);
    leader = 'n2';
    await waitUntil('proposed', () => proposed.length > 0, { timeoutMs: 2_000, intervalMs: 5 });
    expect(proposed).toEqual(['n1 is at http://x']);
    announcer.stop();
  });

  it('retries a failed proposal and proposes nothing when the state already knows the addresses', async () => {
    let attempts = 0;
    const failing = {
      status: () => ({ leader: 'n1' }),
      propose: async () => {
        attempts++;
        throw Object.assign(new Error('dropped'), { code: 'RAFT_PROPOSAL_DROPPED' });
      },
    } as unknown as RaftNode<unknown>;
    const announcer = announceMember({
      node: failing,
      isKnown: () => false,
      command: () => new Uint8Array([1]),
      logger: quiet,
      retryMs: 5,
    });
    await waitUntil('retried', () => attempts >= 3, { timeoutMs: 2_000, intervalMs: 5 });
    announcer.stop();
    let proposals = 0;
    const known = announceMember({
      node: {
        status: () => ({ leader: 'n1' }),
        propose: async () => void proposals++,
      } as unknown as RaftNode<unknown>,
      isKnown: () => true,
      command: () => new Uint8Array([1]),
      logger: quiet,
    });
    known.stop();
    expect(proposals).toBe(0);
  });
});
