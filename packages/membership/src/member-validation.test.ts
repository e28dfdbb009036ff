import { describe, expect, it } from 'vitest';
import {
  MAX_ADDRESS_LENGTH,
  MAX_MEMBER_ID_LENGTH,
  validateAddress,
  validateMemberId,
} from './member-validation.js';

describe('validateMemberId / validateAddress', () => {
  it('accept ordinary ids and addresses unchanged', () => {
    expect(validateMemberId('node-1')).toBe('node-1');
    expect(validateMemberId('n'.repeat(MAX_MEMBER_ID_LENGTH))).toHaveLength(MAX_MEMBER_ID_LENGTH);
    expect(validateAddress('ws://10.0.0.4:7001')).toBe('ws://10.0.0.4:7001');
    expect(validateAddress('[::1]:7001')).toBe('[::1]:7001');
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['too long', 'n'.repeat(MAX_MEMBER_ID_LENGTH + 1)],
    ['whitespace', 'node 1'],
    ['a trailing newline', 'node-1\n'],
    ['a control character', 'node\u0000'],
  ])('refuse an id that is %s (RAFT_MEMBERSHIP_INVALID_ID)', (_, id) => {
    expect(() => validateMemberId(id)).toThrow(
      expect.objectContaining({ code: 'RAFT_MEMBERSHIP_INVALID_ID' }),
    );
  });

  it.each([
    ['not a string', null],
    ['empty', ''],
    ['too long', 'a'.repeat(MAX_ADDRESS_LENGTH + 1)],
    ['whitespace', 'ws://host :1'],
    ['a tab', '\tws://host:1'],
  ])('refuse an address that is %s (RAFT_MEMBERSHIP_INVALID_ADDRESS)', (_, address) => {
    expect(() => validateAddress(address)).toThrow(
      expect.objectContaining({ code: 'RAFT_MEMBERSHIP_INVALID_ADDRESS' }),
    );
  });
});
