import type { Attributes } from '@opentelemetry/api';
import type { MessageType } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { MessageCounts } from './message-counts.js';

function collect(counts: MessageCounts): { value: number; attributes: Attributes }[] {
  const points: { value: number; attributes: Attributes }[] = [];
  counts.each((value, attributes) => points.push({ value, attributes }));
  return points;
}

describe('MessageCounts', () => {
  it('counts by (peer, type) and reports each series with the base attributes, skipping zeros', () => {
    const counts = new MessageCounts({ 'raft.node.id': 'a' });
    counts.add('AppendEntries', 'b');
    counts.add('AppendEntries', 'c');
    counts.add('AppendEntries', 'b');
    counts.add('Heartbeat', 'b');
    const points = collect(counts);
    expect(points).toHaveLength(3);
    expect(points).toContainEqual({
      value: 2,
      attributes: { 'raft.node.id': 'a', 'raft.message.type': 'AppendEntries', 'raft.peer.id': 'b' },
    });
    expect(points).toContainEqual({
      value: 1,
      attributes: { 'raft.node.id': 'a', 'raft.message.type': 'Heartbeat', 'raft.peer.id': 'b' },
    });
  });

  it('keeps the extra attribute value (drop reason) apart, per peer', () => {
    const counts = new MessageCounts({}, 'raft.message.drop_reason');
    counts.add('Heartbeat', 'b', 'overflow');
    counts.add('Heartbeat', 'b', 'unreachable');
    counts.add('Heartbeat', 'b', 'overflow');
    const byReason = Object.fromEntries(
      collect(counts).map((point) => [point.attributes['raft.message.drop_reason'], point.value]),
    );
    expect(byReason).toEqual({ overflow: 2, unreachable: 1 });
  });

  it('counts a message type it has no table entry for (one core adds later)', () => {
    const counts = new MessageCounts({});
    counts.add('FutureMessage' as MessageType, 'b');
    counts.add('AppendEntries', 'b');
    counts.add('FutureMessage' as MessageType, 'b');
    expect(collect(counts).map((point) => [point.attributes['raft.message.type'], point.value])).toEqual(
      expect.arrayContaining([
        ['FutureMessage', 2],
        ['AppendEntries', 1],
      ]),
    );
  });

  it('reuses the attribute objects between collections (no allocation per collection)', () => {
    const counts = new MessageCounts({});
    counts.add('AppendEntries', 'b');
    const first = collect(counts)[0]!.attributes;
    counts.add('AppendEntries', 'b');
    expect(collect(counts)[0]!.attributes).toBe(first);
  });
});
