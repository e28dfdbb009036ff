import { describe, expect, it } from 'vitest';
import { EngineCluster } from './engine-harness.js';

describe('engine smoke', () => {
  it('elects a leader by timeout, replicates and applies on every node', () => {
    const cluster = new EngineCluster(['a', 'b', 'c']);
    cluster.tick(25);
    expect(cluster.leaders()).toHaveLength(1);
    const leader = cluster.leaders()[0]!;
    cluster.propose(leader, 'x');
    cluster.propose(leader, 'y');
    for (const id of cluster.ids) expect(cluster.appliedText(id)).toEqual(['x', 'y']);
  });
});
