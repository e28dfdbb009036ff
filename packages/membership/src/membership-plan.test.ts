import type { ClusterConfig } from '@raft/core';
import { describe, expect, it } from 'vitest';
import {
  planAddLearner,
  planChangeMembers,
  planPromote,
  planRemove,
  planReplace,
  roleOf,
} from './membership-plan.js';

const current: ClusterConfig = {
  voters: ['a', 'b', 'c'],
  outgoingVoters: [],
  learners: ['l'],
  addresses: { a: 'mem://a', b: 'mem://b', c: 'mem://c', l: 'mem://l' },
};

const code = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
};

describe('membership plans (pure: configuration in force -> configuration to propose)', () => {
  it('roleOf: voters of either half are voters', () => {
    expect(roleOf(current, 'a')).toBe('voter');
    expect(roleOf(current, 'l')).toBe('learner');
    expect(roleOf({ ...current, outgoingVoters: ['x'] }, 'x')).toBe('voter');
    expect(roleOf(current, 'zz')).toBeUndefined();
  });

  it('planAddLearner adds the learner with its address; the same learner again is nothing to do', () => {
    expect(planAddLearner(current, 'd', 'mem://d')).toEqual({
      voters: ['a', 'b', 'c'],
      outgoingVoters: [],
      learners: ['l', 'd'],
      addresses: { ...current.addresses, d: 'mem://d' },
    });
    expect(planAddLearner(current, 'l', 'mem://l')).toBeUndefined();
  });

  it('planAddLearner refuses a voter or a learner at another address (RAFT_MEMBERSHIP_ALREADY_MEMBER) and bad input', () => {
    expect(code(() => planAddLearner(current, 'a', 'mem://a'))).toBe('RAFT_MEMBERSHIP_ALREADY_MEMBER');
    expect(code(() => planAddLearner(current, 'l', 'mem://elsewhere'))).toBe(
      'RAFT_MEMBERSHIP_ALREADY_MEMBER',
    );
    expect(code(() => planAddLearner(current, '', 'mem://x'))).toBe('RAFT_MEMBERSHIP_INVALID_ID');
    expect(code(() => planAddLearner(current, 'd', ' '))).toBe('RAFT_MEMBERSHIP_INVALID_ADDRESS');
  });

  it('planPromote moves a learner to the voters; refuses voters and non-members', () => {
    expect(planPromote(current, 'l')).toMatchObject({ voters: ['a', 'b', 'c', 'l'], learners: [] });
    expect(code(() => planPromote(current, 'a'))).toBe('RAFT_MEMBERSHIP_ALREADY_MEMBER');
    expect(code(() => planPromote(current, 'zz'))).toBe('RAFT_MEMBERSHIP_UNKNOWN_MEMBER');
  });

  it('planRemove drops a voter or learner and its address; refuses non-members', () => {
    const removed = planRemove(current, 'b');
    expect(removed).toMatchObject({ voters: ['a', 'c'], learners: ['l'] });
    expect(removed.addresses).not.toHaveProperty('b');
    expect(planRemove(current, 'l')).toMatchObject({ voters: ['a', 'b', 'c'], learners: [] });
    expect(code(() => planRemove(current, 'zz'))).toBe('RAFT_MEMBERSHIP_UNKNOWN_MEMBER');
  });

  it('planReplace swaps a voter for a learner in place, in one configuration', () => {
    const swapped = planReplace(current, 'b', 'l');
    expect(swapped).toMatchObject({ voters: ['a', 'l', 'c'], outgoingVoters: [], learners: [] });
    expect(swapped.addresses).toEqual({ a: 'mem://a', l: 'mem://l', c: 'mem://c' });
    expect(code(() => planReplace(current, 'zz', 'l'))).toBe('RAFT_MEMBERSHIP_UNKNOWN_MEMBER');
    expect(code(() => planReplace(current, 'a', 'zz'))).toBe('RAFT_MEMBERSHIP_UNKNOWN_MEMBER');
    expect(code(() => planReplace(current, 'a', 'a'))).toBe('RAFT_MEMBERSHIP_INVALID_TARGET');
  });

  it('planChangeMembers keeps known addresses, takes given ones, refuses addresses of non-members', () => {
    expect(planChangeMembers(current, { voters: ['a', 'l'], addresses: { l: 'mem://l2' } })).toEqual({
      voters: ['a', 'l'],
      outgoingVoters: [],
      learners: [],
      addresses: { a: 'mem://a', l: 'mem://l2' },
    });
    expect(code(() => planChangeMembers(current, { voters: ['a'], addresses: { b: 'mem://b' } }))).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
    expect(code(() => planChangeMembers(current, { voters: ['a', ''] }))).toBe('RAFT_MEMBERSHIP_INVALID_ID');
    expect(code(() => planChangeMembers(current, { voters: 'a' } as unknown as { voters: string[] }))).toBe(
      'RAFT_MEMBERSHIP_INVALID_TARGET',
    );
  });
});
