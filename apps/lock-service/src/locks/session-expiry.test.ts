import type { RaftStatus } from '@raft/core';
import { createJsonLogger } from '@raft/service';
import { describe, expect, it } from 'vitest';
import { decodeLockCommand, encodeLockCommand, type LockCommand } from './lock-command.js';
import type { LockResult } from './lock-state.js';
import { LockStateMachine } from './lock-state-machine.js';
import { sessionExpiry } from './session-expiry.js';

/** One node's view: a state machine, a role the test sets, a clock the test moves, and a log. */
function harness(options: { failProposals?: boolean } = {}) {
  const store = new LockStateMachine();
  let index = 0;
  let clock = 0;
  const node = { role: 'follower' as RaftStatus['role'], term: 1 };
  const proposed: LockCommand[] = [];
  const apply = (command: LockCommand): LockResult => {
    index++;
    return store.apply([{ index, term: node.term, data: encodeLockCommand(command) }])[0]!;
  };
  const expiry = sessionExpiry({
    node: {
      status: () => ({ role: node.role, term: node.term }) as RaftStatus,
      propose: async (data: Uint8Array) => {
        const command = decodeLockCommand(data);
        proposed.push(command);
        if (options.failProposals === true)
          throw Object.assign(new Error('lost'), { code: 'RAFT_NOT_LEADER' });
        return apply(command);
      },
    },
    store,
    logger: createJsonLogger('error', () => {}),
    checkEveryMs: 10,
    lateAfterMs: 500,
    requestTimeoutMs: 1_000,
    now: () => clock,
  });
  /** Moves the clock in steps of 10 ms, checking at each step as the timer would. */
  const advance = async (ms: number) => {
    for (let step = 0; step < ms; step += 10) {
      clock += 10;
      expiry.check();
      await Promise.resolve();
    }
  };
  /** Moves the clock without any check running (a paused process). */
  const jump = (ms: number) => {
    clock += ms;
  };
  return { store, apply, node, proposed, expiry, advance, jump };
}

describe('session expiry (the leader decides, through the log)', () => {
  it('the leader proposes expire once a session goes a whole TTL without a keepalive; its locks pass on', async () => {
    const { store, apply, node, proposed, expiry, advance } = harness();
    node.role = 'leader';
    expiry.check();
    apply({ op: 'open', session: 'a', ttlMs: 300 });
    apply({ op: 'open', session: 'b', ttlMs: 10_000 });
    apply({ op: 'acquire', session: 'a', lock: 'L', wait: true });
    apply({ op: 'acquire', session: 'b', lock: 'L', wait: true });
    await advance(290);
    expect(proposed).toEqual([]);
    await advance(20);
    expect(proposed).toEqual([{ op: 'expire', session: 'a', renewedAt: 1 }]);
    expect(store.session('a')).toBeUndefined();
    expect(store.lock('L')).toMatchObject({ holder: 'b', token: 5 });
    await advance(100);
    expect(proposed).toHaveLength(1);
  });

  it('a keepalive restarts the TTL from when this node applies it', async () => {
    const { apply, node, proposed, expiry, advance } = harness();
    node.role = 'leader';
    expiry.check();
    apply({ op: 'open', session: 'a', ttlMs: 300 });
    await advance(200);
    apply({ op: 'keepalive', session: 'a' });
    await advance(250);
    expect(proposed).toEqual([]);
    await advance(60);
    expect(proposed).toEqual([{ op: 'expire', session: 'a', renewedAt: 2 }]);
  });

  it('followers never propose an expiry, however old the session', async () => {
    const { apply, proposed, advance } = harness();
    apply({ op: 'open', session: 'a', ttlMs: 100 });
    await advance(1_000);
    expect(proposed).toEqual([]);
  });

  it('a new leader restarts every TTL from its own clock: a session the old leader was about to expire gets a whole TTL', async () => {
    const { apply, node, proposed, expiry, advance } = harness();
    apply({ op: 'open', session: 'a', ttlMs: 300 });
    await advance(290); // as a follower: 10 ms left on this node's clock
    node.role = 'leader';
    node.term = 2;
    await advance(280);
    expect(proposed).toEqual([]);
    await advance(40);
    expect(proposed).toEqual([{ op: 'expire', session: 'a', renewedAt: 1 }]);
    expect(expiry.deadlineOf('a')).toBeUndefined();
  });

  it('leading again in a later term restarts the TTLs again', async () => {
    const { apply, node, proposed, advance } = harness();
    node.role = 'leader';
    apply({ op: 'open', session: 'a', ttlMs: 300 });
    await advance(200);
    node.role = 'follower';
    await advance(10);
    node.role = 'leader';
    node.term = 3;
    await advance(290);
    expect(proposed).toEqual([]);
    await advance(30);
    expect(proposed).toHaveLength(1);
  });

  it('a check far later than the previous one (this process was paused) restarts every TTL instead of expiring', async () => {
    const { apply, node, proposed, expiry, advance, jump } = harness();
    node.role = 'leader';
    expiry.check();
    apply({ op: 'open', session: 'a', ttlMs: 300 });
    await advance(100);
    // Nothing ran for 2 s: keepalives may have been waiting for this node all along.
    jump(2_000);
    expiry.check();
    expect(proposed).toEqual([]);
    await advance(290);
    expect(proposed).toEqual([]);
    await advance(20);
    expect(proposed).toEqual([{ op: 'expire', session: 'a', renewedAt: 1 }]);
  });

  it('a failed expire proposal is tried again at a later check, never twice at once', async () => {
    const { apply, node, proposed, expiry, advance } = harness({ failProposals: true });
    node.role = 'leader';
    expiry.check();
    apply({ op: 'open', session: 'a', ttlMs: 100 });
    await advance(110);
    expect(proposed.length).toBeGreaterThanOrEqual(1);
    const first = proposed.length;
    await advance(50);
    expect(proposed.length).toBeGreaterThan(first);
    expect(proposed.every((command) => command.op === 'expire' && command.session === 'a')).toBe(true);
  });
});
