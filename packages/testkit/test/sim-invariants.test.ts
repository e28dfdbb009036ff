import type { Entry, NodeId, RaftInspection, Role } from '@raft/core';
import { describe, expect, it } from 'vitest';
import { createInvariantChecker, type InvariantName } from '../src/invariants/index.js';

/** Log written as `term[:payload]` per index, e.g. ['1', '1', '2:x'] */
function log(spec: readonly string[]): Entry[] {
  return spec.map((item, i) => {
    const [term, payload = ''] = item.split(':');
    return { index: i + 1, term: Number(term), type: 'normal', data: new TextEncoder().encode(payload) };
  });
}

function inspection(
  node: NodeId,
  fields: { role?: Role; term: number; commit?: number; applied?: number; entries: readonly Entry[] },
): RaftInspection {
  const role = fields.role ?? 'follower';
  const commit = fields.commit ?? 0;
  return {
    status: {
      id: node,
      role,
      term: fields.term,
      vote: '',
      leader: role === 'leader' ? node : '',
      commitIndex: commit,
      appliedIndex: fields.applied ?? 0,
      lastIndex: fields.entries.length,
      config: { voters: ['n1', 'n2', 'n3'], outgoingVoters: [], learners: [] },
      progress: new Map(),
      transferee: '',
    },
    hardState: { term: fields.term, vote: '', commit },
    firstIndex: 1,
    entries: fields.entries,
    persistedIndex: fields.entries.length,
  };
}

const invariants = (checker: ReturnType<typeof createInvariantChecker>): InvariantName[] =>
  checker.violations().map((violation) => violation.invariant);

describe('invariant checkers on fabricated inspections', () => {
  it('a legal history raises nothing: follower truncates an uncommitted suffix, new leader appends', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { role: 'leader', term: 2, commit: 2, applied: 2, entries: log(['1', '2', '2:a']) }),
    );
    checker.observe(
      2,
      'n2',
      inspection('n2', { term: 2, commit: 2, applied: 2, entries: log(['1', '2', '2:a']) }),
    );
    checker.observe(3, 'n3', inspection('n3', { term: 1, commit: 1, entries: log(['1', '1:stale']) }));
    // n3 loses its uncommitted entry 2 of term 1 to the leader's entries.
    checker.observe(
      4,
      'n3',
      inspection('n3', { term: 2, commit: 3, applied: 3, entries: log(['1', '2', '2:a']) }),
    );
    checker.observe(
      5,
      'n2',
      inspection('n2', { role: 'leader', term: 3, commit: 3, entries: log(['1', '2', '2:a', '3']) }),
    );
    checker.observe(
      6,
      'n2',
      inspection('n2', { role: 'leader', term: 3, commit: 4, entries: log(['1', '2', '2:a', '3', '3:b']) }),
    );
    checker.observeApplied(6, 'n1', [{ index: 3, term: 2, data: new Uint8Array([97]) }]);
    checker.observeApplied(7, 'n3', [{ index: 3, term: 2, data: new Uint8Array([97]) }]);
    expect(checker.violations()).toEqual([]);
  });

  it('Election Safety (Raft §5.2): two leaders in one term are caught', () => {
    const checker = createInvariantChecker();
    checker.observe(1, 'n1', inspection('n1', { role: 'leader', term: 4, entries: log(['1']) }));
    checker.observe(2, 'n2', inspection('n2', { role: 'leader', term: 4, entries: log(['1']) }));
    expect(invariants(checker)).toEqual(['election-safety']);
    expect(checker.violations()[0]).toMatchObject({ node: 'n2', time: 2 });
  });

  it('Leader Append-Only (Raft §5.3): a leader that rewrites its log within its term is caught', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { role: 'leader', term: 2, entries: log(['1', '2:a', '2:b']) }),
    );
    checker.observe(2, 'n1', inspection('n1', { role: 'leader', term: 2, entries: log(['1', '2:a']) }));
    expect(invariants(checker)).toEqual(['leader-append-only']);
  });

  it('Leader Append-Only: the same node truncating as a follower of a later term is legal', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { role: 'leader', term: 2, entries: log(['1', '2:a', '2:b']) }),
    );
    checker.observe(2, 'n1', inspection('n1', { role: 'follower', term: 3, entries: log(['1', '3:c']) }));
    expect(checker.violations()).toEqual([]);
  });

  it('Log Matching (Raft §5.3): same (index, term) over different prefixes is caught', () => {
    const checker = createInvariantChecker();
    checker.observe(1, 'n1', inspection('n1', { term: 3, entries: log(['1', '2:a', '3:c']) }));
    checker.observe(2, 'n2', inspection('n2', { term: 3, entries: log(['1', '2:b', '3:c']) }));
    expect(invariants(checker)).toContain('log-matching');
  });

  it('Leader Completeness (Raft §5.4): a leader missing an entry committed in an earlier term is caught', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { role: 'leader', term: 2, commit: 3, entries: log(['1', '2', '2:a']) }),
    );
    checker.observe(2, 'n2', inspection('n2', { role: 'leader', term: 3, entries: log(['1', '2', '3']) }));
    expect(invariants(checker)).toContain('leader-completeness');
  });

  it('Leader Completeness: a stale leader of an older term need not hold later commits', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n2',
      inspection('n2', { role: 'leader', term: 5, commit: 3, entries: log(['1', '5', '5:a']) }),
    );
    checker.observe(2, 'n1', inspection('n1', { role: 'leader', term: 4, entries: log(['1', '4']) }));
    expect(checker.violations()).toEqual([]);
  });

  it('State Machine Safety (Raft §5.4.3): different entries applied at one index are caught', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { term: 2, commit: 2, applied: 2, entries: log(['1', '2:a']) }),
    );
    checker.observe(
      2,
      'n2',
      inspection('n2', { term: 3, commit: 2, applied: 2, entries: log(['1', '3:b']) }),
    );
    expect(invariants(checker)).toContain('state-machine-safety');
  });

  it('State Machine Safety: a committed entry removed from a log is caught', () => {
    const checker = createInvariantChecker();
    checker.observe(1, 'n1', inspection('n1', { term: 2, commit: 2, entries: log(['1', '2:a']) }));
    checker.observe(2, 'n1', inspection('n1', { term: 3, commit: 2, entries: log(['1', '3:b']) }));
    expect(invariants(checker)).toContain('state-machine-safety');
  });

  it('State Machine Safety: state machines handed different commands at one index are caught', () => {
    const checker = createInvariantChecker();
    checker.observeApplied(1, 'n1', [{ index: 5, term: 2, data: new Uint8Array([1]) }]);
    checker.observeApplied(2, 'n2', [{ index: 5, term: 2, data: new Uint8Array([2]) }]);
    expect(invariants(checker)).toEqual(['state-machine-safety']);
  });

  it('resetNode starts a new instance: a restarted node may come back with a shorter log', () => {
    const checker = createInvariantChecker();
    checker.observe(
      1,
      'n1',
      inspection('n1', { role: 'leader', term: 2, commit: 1, entries: log(['1', '2:a', '2:b']) }),
    );
    checker.resetNode('n1');
    checker.observe(2, 'n1', inspection('n1', { term: 2, commit: 1, entries: log(['1', '2:a']) }));
    expect(checker.violations()).toEqual([]);
  });

  it('reports one finding once even if every later observation still shows it', () => {
    const checker = createInvariantChecker();
    for (let time = 0; time < 5; time++) {
      checker.observe(time, 'n1', inspection('n1', { role: 'leader', term: 4, entries: log(['1']) }));
      checker.observe(time, 'n2', inspection('n2', { role: 'leader', term: 4, entries: log(['1']) }));
    }
    expect(checker.violations()).toHaveLength(1);
  });
});
