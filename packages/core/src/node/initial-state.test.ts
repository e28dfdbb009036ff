import { describe, expect, it } from 'vitest';
import { encodeConfig } from '../codec/config-codec.js';
import type { RaftInitialState } from '../engine/raft.js';
import type { ClusterConfig, Entry } from '../engine/types.js';
import { refuseIfRemoved } from './initial-state.js';

const config = (voters: string[], learners: string[] = []): ClusterConfig => ({
  voters,
  outgoingVoters: [],
  learners,
});
const configEntry = (index: number, value: ClusterConfig): Entry => ({
  index,
  term: 1,
  type: 'config',
  data: encodeConfig(value),
});
const state = (entries: Entry[], commit: number, snapshotConfig?: ClusterConfig): RaftInitialState => ({
  hardState: { term: 1, vote: '', commit },
  entries,
  snapshot: snapshotConfig === undefined ? undefined : { index: 0, term: 0, config: snapshotConfig },
});

describe('refuseIfRemoved: a removed node may not come back under its id (thesis §4.2.2)', () => {
  it('refuses a node named by a committed configuration and left out by the latest committed one', () => {
    const initial = state([configEntry(1, config(['a', 'b', 'd'])), configEntry(2, config(['a', 'b']))], 2);
    expect(() => refuseIfRemoved('d', initial, config(['a', 'b']))).toThrow(
      expect.objectContaining({ code: 'RAFT_NODE_REMOVED' }),
    );
  });

  it('refuses a removed learner, and a node the snapshot names as a member', () => {
    const learner = state([configEntry(1, config(['a'], ['d'])), configEntry(2, config(['a']))], 2);
    expect(() => refuseIfRemoved('d', learner, config(['a']))).toThrow(
      expect.objectContaining({ code: 'RAFT_NODE_REMOVED' }),
    );
    const compacted = state([configEntry(5, config(['a', 'b']))], 5, config(['a', 'b', 'd']));
    expect(() => refuseIfRemoved('d', compacted, config(['a', 'b']))).toThrow(
      expect.objectContaining({ code: 'RAFT_NODE_REMOVED' }),
    );
  });

  it('starts a joining node whose log only holds configurations from before it was added', () => {
    // It crashed after receiving the founding configuration but before the entry that adds it.
    const joiner = state([configEntry(1, config(['a', 'b', 'c']))], 1);
    expect(() => refuseIfRemoved('d', joiner, config(['a', 'b', 'c']))).not.toThrow();
  });

  it('only committed configurations count: an uncommitted one that named it was never in force', () => {
    const truncated = state(
      [configEntry(1, config(['a', 'b'])), configEntry(2, config(['a', 'b'], ['d']))],
      1,
    );
    expect(() => refuseIfRemoved('d', truncated, config(['a', 'b']))).not.toThrow();
  });

  it('starts a member, and a node with no configuration at all', () => {
    expect(() =>
      refuseIfRemoved('a', state([configEntry(1, config(['a']))], 1), config(['a'])),
    ).not.toThrow();
    expect(() => refuseIfRemoved('d', state([], 0), config([]))).not.toThrow();
  });
});
