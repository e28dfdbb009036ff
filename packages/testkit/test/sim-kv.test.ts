import type { Entry, NodeId, RaftInspection } from '@raft/core';
import { describe, expect, it } from 'vitest';
import type { KvOperation } from '../src/linearizability/index.js';
import { encodeKvCommand, findLostWrites, kvStateMachine } from '../src/simulator/index.js';

const entry = (index: number, id: string, op: KvOperation) => ({
  index,
  term: 1,
  data: encodeKvCommand({ id, op }),
});

describe('kvStateMachine', () => {
  it('applies put, get, delete and compare-and-set in log order and answers each', async () => {
    const kv = kvStateMachine();
    const results = await kv.apply([
      entry(1, 'a', { kind: 'put', key: 'x', value: '1' }),
      entry(2, 'b', { kind: 'cas', key: 'x', expected: '0', value: '2' }),
      entry(3, 'c', { kind: 'cas', key: 'x', expected: '1', value: '3' }),
      entry(4, 'd', { kind: 'get', key: 'x' }),
      entry(5, 'e', { kind: 'delete', key: 'x' }),
      entry(6, 'f', { kind: 'delete', key: 'x' }),
      entry(7, 'g', { kind: 'cas', key: 'x', expected: null, value: '4' }),
    ]);
    expect(results).toEqual([
      { kind: 'put' },
      { kind: 'cas', ok: false },
      { kind: 'cas', ok: true },
      { kind: 'get', value: '3' },
      { kind: 'delete', existed: true },
      { kind: 'delete', existed: false },
      { kind: 'cas', ok: true },
    ]);
    expect(kv.get('x')).toBe('4');
  });

  it('with deduplicate, a repeated command id is answered with its first answer (thesis §6.3)', async () => {
    const kv = kvStateMachine({ deduplicate: true });
    const del = { kind: 'delete', key: 'x' } as const;
    await kv.apply([entry(1, 'p', { kind: 'put', key: 'x', value: '1' })]);
    const results = await kv.apply([entry(2, 'd', del), entry(3, 'd', del)]);
    expect(results).toEqual([
      { kind: 'delete', existed: true },
      { kind: 'delete', existed: true },
    ]);
  });
});

describe('findLostWrites', () => {
  const inspection = (commit: number, entries: Entry[]): RaftInspection =>
    ({ status: { commitIndex: commit }, entries, firstIndex: 1 }) as unknown as RaftInspection;
  const logEntry = (index: number, id: string): Entry => ({
    index,
    term: 1,
    type: 'normal',
    data: encodeKvCommand({ id, op: { kind: 'put', key: 'x', value: id } }),
  });

  it('reports an acknowledged write missing from the most advanced committed log (durability)', () => {
    const nodes = new Map<NodeId, RaftInspection>([
      ['n1', inspection(2, [logEntry(1, 'w1'), logEntry(2, 'w2'), logEntry(3, 'w3')])],
      ['n2', inspection(1, [logEntry(1, 'w1')])],
    ]);
    const acknowledged = new Map<string, KvOperation>([
      ['w1', { kind: 'put', key: 'x', value: 'w1' }],
      ['w2', { kind: 'put', key: 'x', value: 'w2' }],
      // In n1's log but past its commit index: not durable as far as Raft is concerned.
      ['w3', { kind: 'put', key: 'x', value: 'w3' }],
    ]);
    const lost = findLostWrites(nodes, acknowledged);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('w3');
  });
});
