import type { ClusterConfig } from '@raft/core';
import { createVirtualScheduler } from '@raft/testkit';
import { describe, expect, it } from 'vitest';
import type { JoinRequest } from './join-protocol.js';
import { requestJoin } from './request-join.js';

// The joining side on its own, against scripted contacts, in virtual time: each test states which
// rule of the retry loop it guards.

const CONFIG: ClusterConfig = { voters: ['a', 'b', 'c', 'd'], outgoingVoters: [], learners: [] };

/** A virtual clock, and a way to run it until a promise settles. */
function virtualTime() {
  const scheduler = createVirtualScheduler();
  const clock = scheduler.clockFor({ name: 'joiner', alive: true }, 'd');
  const settle = async <T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> => {
    let outcome: { value?: T; error?: unknown } | undefined;
    promise.then(
      (value) => {
        outcome = { value };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );
    for (;;) {
      // Let the code under test run as far as it can before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
      if (outcome !== undefined) return outcome;
      await scheduler.step();
    }
  };
  return { scheduler, clock, settle };
}

type Answer = unknown | ((request: JoinRequest) => unknown);

/** `send` that answers from a script per contact (the last answer repeats) and records every call. */
function scripted(script: Record<string, Answer[]>) {
  const calls: string[] = [];
  const send = async (contact: string, request: JoinRequest): Promise<unknown> => {
    calls.push(contact);
    const answers = script[contact];
    if (answers === undefined) throw new Error(`connection refused: ${contact}`);
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? (answer as (request: JoinRequest) => unknown)(request) : answer;
  };
  return { calls, send };
}

const base = { id: 'd', address: 'mem://d', deadlineMs: 10_000, random: () => 0.5 };

describe('requestJoin', () => {
  it('follows a not-leader answer to the leader at once and returns the configuration', async () => {
    const { clock, settle, scheduler } = virtualTime();
    const { calls, send } = scripted({
      'http://b': [{ status: 'not-leader', leader: 'a', contact: 'http://a' }],
      'http://a': [
        (request: JoinRequest) => ({ status: 'joined', config: { ...CONFIG, voters: ['a', request.id] } }),
      ],
    });
    const outcome = await settle(requestJoin({ ...base, contacts: ['http://b'], send, clock }));
    expect(outcome.value).toEqual({ ...CONFIG, voters: ['a', 'd'] });
    expect(calls).toEqual(['http://b', 'http://a']);
    expect(scheduler.now()).toBe(0); // a redirect costs no backoff
  });

  it('moves on to the next contact after an unreachable one or a malformed answer, with backoff', async () => {
    const { clock, settle, scheduler } = virtualTime();
    const { calls, send } = scripted({
      'http://b': [{ status: 'something else' }],
      'http://c': [{ status: 'joined', config: CONFIG }],
    });
    const outcome = await settle(
      requestJoin({ ...base, contacts: ['http://x', 'http://b', 'http://c'], send, clock }),
    );
    expect(outcome.value).toEqual(CONFIG);
    expect(calls).toEqual(['http://x', 'http://b', 'http://c']);
    // Backoff 100 then 200 ms, jitter 0.5 -> 75% of each.
    expect(scheduler.now()).toBe(75 + 150);
  });

  it('asks the leader again after a retryable failure, and stops at once on a refusal for good', async () => {
    const { clock, settle } = virtualTime();
    const retrying = scripted({
      'http://a': [
        { status: 'failed', code: 'RAFT_MEMBERSHIP_CATCH_UP_TIMEOUT', message: 'slow', retryable: true },
        { status: 'joined', config: CONFIG },
      ],
    });
    const joined = await settle(
      requestJoin({ ...base, contacts: ['http://a', 'http://b'], send: retrying.send, clock }),
    );
    expect(joined.value).toEqual(CONFIG);
    expect(retrying.calls).toEqual(['http://a', 'http://a']);

    const refusing = scripted({
      'http://a': [
        { status: 'failed', code: 'RAFT_MEMBERSHIP_ALREADY_MEMBER', message: 'taken', retryable: false },
      ],
    });
    const refused = await settle(
      requestJoin({ ...base, contacts: ['http://a'], send: refusing.send, clock }),
    );
    expect(refused.error).toMatchObject({
      code: 'RAFT_MEMBERSHIP_JOIN_REFUSED',
      reason: 'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    });
    expect(refusing.calls).toHaveLength(1);
  });

  it('gives up at the deadline with RAFT_MEMBERSHIP_JOIN_TIMEOUT, the attempts and the last failure', async () => {
    const { clock, settle, scheduler } = virtualTime();
    const { calls, send } = scripted({ 'http://a': [{ status: 'not-leader', leader: '' }] });
    const outcome = await settle(
      requestJoin({ ...base, deadlineMs: 3_000, contacts: ['http://a'], send, clock }),
    );
    expect(outcome.error).toMatchObject({ code: 'RAFT_MEMBERSHIP_JOIN_TIMEOUT', attempts: calls.length });
    expect((outcome.error as { lastFailure: string }).lastFailure).toContain('not the leader');
    expect(calls.length).toBeGreaterThan(3);
    expect(scheduler.now()).toBe(3_000);
  });

  it('does not follow redirects forever when the cluster keeps bouncing the request', async () => {
    const { clock, settle } = virtualTime();
    const { calls, send } = scripted({
      'http://a': [{ status: 'not-leader', leader: 'b', contact: 'http://b' }],
      'http://b': [{ status: 'not-leader', leader: 'a', contact: 'http://a' }],
    });
    const outcome = await settle(
      requestJoin({ ...base, deadlineMs: 1_000, contacts: ['http://a'], send, clock }),
    );
    expect(outcome.error).toMatchObject({ code: 'RAFT_MEMBERSHIP_JOIN_TIMEOUT' });
    // Without the redirect limit this would spin without time passing and never reach the deadline.
    expect(calls.length).toBeLessThan(100);
  });

  it('a send that never answers is cut off at the deadline; an aborted signal stops the join with its reason', async () => {
    const { clock, settle } = virtualTime();
    const hung = await settle(
      requestJoin({
        ...base,
        deadlineMs: 500,
        contacts: ['http://a'],
        send: () => new Promise(() => {}),
        clock,
      }),
    );
    expect(hung.error).toMatchObject({ code: 'RAFT_MEMBERSHIP_JOIN_TIMEOUT', attempts: 1 });

    const controller = new AbortController();
    const reason = new Error('operator gave up');
    const { send } = scripted({});
    const pending = requestJoin({ ...base, contacts: ['http://a'], send, clock, signal: controller.signal });
    clock.setTimeout(() => controller.abort(reason), 50);
    const aborted = await settle(pending);
    expect(aborted.error).toBe(reason);
  });

  it('refuses bad options before sending anything', async () => {
    const { send, calls } = scripted({});
    await expect(requestJoin({ ...base, id: '', contacts: ['x'], send })).rejects.toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ID',
    });
    await expect(requestJoin({ ...base, address: 'a b', contacts: ['x'], send })).rejects.toMatchObject({
      code: 'RAFT_MEMBERSHIP_INVALID_ADDRESS',
    });
    await expect(requestJoin({ ...base, contacts: [], send })).rejects.toMatchObject({
      code: 'RAFT_INVALID_OPTIONS',
    });
    await expect(requestJoin({ ...base, deadlineMs: 0, contacts: ['x'], send })).rejects.toMatchObject({
      code: 'RAFT_INVALID_OPTIONS',
    });
    expect(calls).toEqual([]);
  });
});
