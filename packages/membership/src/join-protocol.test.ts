import { describe, expect, it } from 'vitest';
import { parseJoinRequest, parseJoinResponse } from './join-protocol.js';

const codeOf = (value: unknown): unknown => {
  try {
    parseJoinRequest(value);
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
};

describe('join protocol messages (untrusted input)', () => {
  it('parseJoinRequest keeps id and address and ignores other fields', () => {
    expect(parseJoinRequest({ id: 'd', address: 'mem://d', extra: 1 })).toEqual({
      id: 'd',
      address: 'mem://d',
    });
  });

  it.each([
    [null, 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'],
    ['d', 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'],
    [[], 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'],
    [{ address: 'mem://d' }, 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'],
    [{ id: 'd' }, 'RAFT_MEMBERSHIP_INVALID_JOIN_REQUEST'],
    [{ id: 4, address: 'mem://d' }, 'RAFT_MEMBERSHIP_INVALID_ID'],
    [{ id: 'd d', address: 'mem://d' }, 'RAFT_MEMBERSHIP_INVALID_ID'],
    [{ id: 'd', address: '' }, 'RAFT_MEMBERSHIP_INVALID_ADDRESS'],
  ])('parseJoinRequest(%j) refuses with %s', (value, code) => {
    expect(codeOf(value)).toBe(code);
  });

  it('parseJoinResponse accepts the three answers and nothing else', () => {
    const config = { voters: ['a'], outgoingVoters: [], learners: [], addresses: { a: 'mem://a' } };
    expect(parseJoinResponse({ status: 'joined', config })).toEqual({ status: 'joined', config });
    expect(parseJoinResponse({ status: 'not-leader', leader: 'a', contact: 'http://a' })).toEqual({
      status: 'not-leader',
      leader: 'a',
      contact: 'http://a',
    });
    expect(parseJoinResponse({ status: 'not-leader', leader: '' })).toEqual({
      status: 'not-leader',
      leader: '',
    });
    expect(parseJoinResponse({ status: 'failed', code: 'X', message: 'm', retryable: false })).toEqual({
      status: 'failed',
      code: 'X',
      message: 'm',
      retryable: false,
    });
    for (const bad of [
      undefined,
      'joined',
      { status: 'joined' },
      { status: 'joined', config: { voters: 'a', outgoingVoters: [], learners: [] } },
      { status: 'joined', config: { voters: [], outgoingVoters: [], learners: [], addresses: { a: 1 } } },
      { status: 'not-leader' },
      { status: 'not-leader', leader: 'a', contact: 7 },
      { status: 'failed', code: 'X', message: 'm' },
      { status: 'welcome' },
    ]) {
      expect(parseJoinResponse(bad)).toBeUndefined();
    }
  });
});
