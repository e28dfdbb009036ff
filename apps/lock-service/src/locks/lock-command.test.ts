import { describe, expect, it } from 'vitest';
import { decodeLockCommand, encodeLockCommand, type LockCommand } from './lock-command.js';

describe('lock command encoding', () => {
  it('every command round-trips', () => {
    const commands: LockCommand[] = [
      { op: 'open', session: 's1', ttlMs: 5_000 },
      { op: 'keepalive', session: 's1' },
      { op: 'close', session: 's1' },
      { op: 'expire', session: 's1', renewedAt: 2 ** 40 },
      { op: 'acquire', session: 's1', lock: 'a/b é', wait: true },
      { op: 'leave', session: 's1', lock: 'x' },
      { op: 'release', session: 's1', lock: 'x', token: 17 },
      { op: 'release', session: 's1', lock: 'x', token: null },
      { op: 'announce', member: 'n1', clientUrl: 'http://h:1', peerUrl: 'ws://h:2' },
    ];
    for (const command of commands) expect(decodeLockCommand(encodeLockCommand(command))).toEqual(command);
  });

  it('refuses other versions, unknown operations and malformed fields with RAFT_LOCKS_FORMAT', () => {
    const bad = [
      '{"v":2,"op":"open","session":"s","ttlMs":1}',
      '{"v":1,"op":"steal","session":"s"}',
      '{"v":1,"op":"open","session":"","ttlMs":1}',
      '{"v":1,"op":"open","session":"s","ttlMs":-1}',
      '{"v":1,"op":"open","session":"s","ttlMs":1.5}',
      '{"v":1,"op":"acquire","session":"s","lock":"l","wait":"yes"}',
      '{"v":1,"op":"release","session":"s","lock":"l","token":"7"}',
      '[1]',
      'null',
      'not json',
    ];
    for (const text of bad) {
      expect(() => decodeLockCommand(new TextEncoder().encode(text)), text).toThrow(
        expect.objectContaining({ code: 'RAFT_LOCKS_FORMAT' }),
      );
    }
    expect(() => decodeLockCommand(new Uint8Array([0xff]))).toThrow(
      expect.objectContaining({ code: 'RAFT_LOCKS_FORMAT' }),
    );
  });
});
