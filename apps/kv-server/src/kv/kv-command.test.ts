import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodedKvCommandSize, encodeKvCommand, type KvCommand } from './kv-command.js';

describe('KV command encoding', () => {
  const samples: KvCommand[] = [
    {
      type: 'put',
      key: 'k',
      value: new Uint8Array([0, 255, 7]),
      condition: { kind: 'none' },
      stamp: 1_700_000_000_000,
    },
    {
      type: 'put',
      key: 'ключ/🙂',
      value: new Uint8Array(0),
      condition: { kind: 'revision', revision: 2 ** 40 },
      stamp: 0,
      idempotency: { key: 'id', expiresAt: 2 ** 50 },
    },
    { type: 'delete', key: 'k', condition: { kind: 'absent' }, stamp: 5 },
    {
      type: 'delete',
      key: 'k',
      condition: { kind: 'exists' },
      stamp: 5,
      idempotency: { key: 'x', expiresAt: 9 },
    },
    { type: 'announce', member: 'n1', clientUrl: 'http://a:1', peerUrl: 'ws://a:2', stamp: 3 },
  ];

  it('every command round-trips, including large safe integers', () => {
    for (const command of samples) expect(decodeKvCommand(encodeKvCommand(command))).toEqual(command);
  });

  it('sizes every command exactly before encoding it (one allocation, no copy)', () => {
    for (const command of samples) {
      const encoded = encodeKvCommand(command);
      expect(encodedKvCommandSize(command)).toBe(encoded.length);
    }
  });

  it('keeps the stored format byte for byte (entries already in logs must still decode)', () => {
    const put: KvCommand = {
      type: 'put',
      key: 'ключ/🙂',
      value: new Uint8Array([1, 2, 3]),
      condition: { kind: 'revision', revision: 2 ** 40 },
      stamp: 1_700_000_000_000,
      idempotency: { key: 'id', expiresAt: 2 ** 50 },
    };
    const announce: KvCommand = {
      type: 'announce',
      member: 'n1',
      clientUrl: 'http://a:1',
      peerUrl: 'ws://a:2',
      stamp: 3,
    };
    expect(Buffer.from(encodeKvCommand(put)).toString('hex')).toBe(
      '010180d095ffbc310dd0bad0bbd18ed1872ff09f99820180808080802001026964808080808080800203010203',
    );
    expect(Buffer.from(encodeKvCommand(announce)).toString('hex')).toBe(
      '010303026e310a687474703a2f2f613a310877733a2f2f613a32',
    );
  });

  it('truncated, extended or unknown-version bytes are refused with RAFT_KV_FORMAT', () => {
    const encoded = encodeKvCommand(samples[1]!);
    const variants = [
      encoded.slice(0, encoded.length - 1),
      new Uint8Array([...encoded, 0]),
      new Uint8Array([2, ...encoded.slice(1)]),
      new Uint8Array(0),
    ];
    for (const bad of variants)
      expect(() => decodeKvCommand(bad)).toThrow(expect.objectContaining({ code: 'RAFT_KV_FORMAT' }));
  });
});
