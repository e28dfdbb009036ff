import { describe, expect, it } from 'vitest';
import type { AppendEntries, Message, Propose } from '../src/engine/messages.js';
import { MAX_TRACED_ENTRIES } from '../src/engine/traced-entries.js';
import { EngineCluster } from './engine-harness.js';

// Trace context through replication: the engine carries a proposal's opaque context to the leader
// (Propose.trace) and on every AppendEntries carrying the entry (AppendEntries.traces) until every
// follower holds it. Tracing is best effort: it never changes what is replicated or committed.

const ABC = ['a', 'b', 'c'];
const encoder = new TextEncoder();

function contextOf(seed: number): Uint8Array {
  return new Uint8Array(26).map((_, i) => (seed * 31 + i) % 256);
}

function sent(cluster: EngineCluster, id: string): Message[] {
  return cluster.node(id).sent.map(({ message }) => message);
}

function appendsTo(cluster: EngineCluster, from: string, to: string, since = 0): AppendEntries[] {
  return sent(cluster, from)
    .slice(since)
    .filter((message): message is AppendEntries => message.type === 'AppendEntries' && message.to === to);
}

/** The traces an AppendEntries carries, as [index, first context byte] pairs. */
function tracesOf(message: AppendEntries): [number, number][] {
  return (message.traces ?? []).map((trace) => [trace.index, trace.context[0]!]);
}

describe('trace context through replication (engine)', () => {
  it('a traced proposal on the leader: every AppendEntries carrying its entry carries its context, to every follower', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    const since = sent(cluster, 'a').length;
    const context = contextOf(1);
    cluster.raft('a').propose(1, encoder.encode('x'), context);
    cluster.deliver();
    const index = cluster.raft('a').status().lastIndex;
    for (const follower of ['b', 'c']) {
      const carrying = appendsTo(cluster, 'a', follower, since).filter((m) =>
        m.entries.some((e) => e.index === index),
      );
      expect(carrying.length).toBeGreaterThan(0);
      for (const message of carrying) expect(message.traces).toEqual([{ index, context }]);
    }
    expect(cluster.appliedText('c')).toEqual(['x']);
  });

  it('untraced proposals produce no traces field and no trace in a forwarded Propose', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.propose('a', 'on-leader', 1);
    cluster.propose('b', 'forwarded', 2);
    for (const id of ABC) {
      for (const message of sent(cluster, id)) {
        expect('traces' in message).toBe(false);
        expect('trace' in message).toBe(false);
      }
    }
    expect(cluster.appliedText('c')).toEqual(['on-leader', 'forwarded']);
  });

  it('only the traced entries of a message are listed, in index order', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.cutLink('a', 'c');
    const leader = cluster.raft('a');
    leader.propose(1, encoder.encode('one'), contextOf(1));
    leader.propose(2, encoder.encode('two'));
    leader.propose(3, encoder.encode('three'), contextOf(3));
    cluster.deliver();
    const last = leader.status().lastIndex;
    cluster.heal();
    const since = sent(cluster, 'a').length;
    cluster.tick(2);
    const catchUp = appendsTo(cluster, 'a', 'c', since).find((m) => m.entries.length >= 3);
    expect(catchUp && tracesOf(catchUp)).toEqual([
      [last - 2, contextOf(1)[0]],
      [last, contextOf(3)[0]],
    ]);
  });

  it('a retransmission to a follower that missed the entry still carries the context', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.cutLink('a', 'c');
    cluster.raft('a').propose(1, encoder.encode('x'), contextOf(7));
    cluster.deliver();
    const index = cluster.raft('a').status().lastIndex;
    // Committed with b; c never got it, so the leader still holds the context.
    expect(cluster.raft('a').status().commitIndex).toBe(index);
    expect(cluster.raft('a').tracedInFlight()).toBe(1);
    cluster.heal();
    const since = sent(cluster, 'a').length;
    cluster.tick(2);
    const resent = appendsTo(cluster, 'a', 'c', since).filter((m) =>
      m.entries.some((e) => e.index === index),
    );
    expect(resent.length).toBeGreaterThan(0);
    for (const message of resent) expect(tracesOf(message)).toEqual([[index, contextOf(7)[0]]]);
    expect(cluster.appliedText('c')).toEqual(['x']);
  });

  it('the leader forgets a context once every follower holds the entry, and all of them when it loses leadership', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.raft('a').propose(1, encoder.encode('x'), contextOf(1));
    cluster.deliver();
    expect(cluster.raft('a').tracedInFlight()).toBe(0);

    cluster.cutLink('a', 'c');
    cluster.raft('a').propose(2, encoder.encode('y'), contextOf(2));
    cluster.deliver();
    expect(cluster.raft('a').tracedInFlight()).toBe(1);
    // c still has not acknowledged it when a hands leadership to b (thesis §3.10).
    cluster.raft('a').transferLeadership('b');
    cluster.deliver();
    cluster.heal();
    expect(cluster.raft('a').status().role).toBe('follower');
    expect(cluster.raft('a').tracedInFlight()).toBe(0);
    // The new leader never had the context: what it sends is untraced.
    const since = sent(cluster, 'b').length;
    cluster.propose('b', 'z', 3);
    expect(
      sent(cluster, 'b')
        .slice(since)
        .some((m) => 'traces' in m),
    ).toBe(false);
  });

  it(`holds at most ${MAX_TRACED_ENTRIES} contexts, dropping the oldest; replication is unaffected`, () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.cutLink('a', 'c'); // c never acknowledges, so nothing is pruned
    const leader = cluster.raft('a');
    const first = leader.status().lastIndex + 1;
    const total = MAX_TRACED_ENTRIES + 10;
    for (let i = 0; i < total; i++) leader.propose(i + 1, encoder.encode(`v${i}`), contextOf(i));
    cluster.deliver();
    expect(leader.tracedInFlight()).toBe(MAX_TRACED_ENTRIES);
    cluster.heal();
    const since = sent(cluster, 'a').length;
    cluster.tick(3);
    const traced = new Set(
      appendsTo(cluster, 'a', 'c', since).flatMap((m) => (m.traces ?? []).map((trace) => trace.index)),
    );
    expect(traced.has(first)).toBe(false); // among the ten oldest, forgotten
    expect(traced.has(first + 10)).toBe(true);
    expect(traced.has(first + total - 1)).toBe(true);
    expect(cluster.appliedText('c')).toHaveLength(total);
    expect(leader.tracedInFlight()).toBe(0);
  });

  it('a proposal forwarded by a follower keeps its context on the leader, which sends it to every follower', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    const context = contextOf(5);
    const since = sent(cluster, 'a').length;
    cluster.raft('b').propose(1, encoder.encode('from-b'), context);
    cluster.deliver();
    const forwarded = sent(cluster, 'b').filter((m): m is Propose => m.type === 'Propose');
    expect(forwarded.map((m) => m.trace)).toEqual([context]);
    const outcome = cluster.node('b').outcomes[0];
    const index = outcome?.accepted === true ? outcome.index : -1;
    for (const follower of ['b', 'c']) {
      const carrying = appendsTo(cluster, 'a', follower, since).filter((m) =>
        m.entries.some((e) => e.index === index),
      );
      expect(carrying.map(tracesOf)).toEqual(carrying.map(() => [[index, context[0]]]));
      expect(carrying.length).toBeGreaterThan(0);
    }
    expect(cluster.appliedText('c')).toEqual(['from-b']);
  });

  it('a context that is not 26 bytes is ignored: the proposal is replicated untraced', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.raft('a').propose(1, encoder.encode('x'), new Uint8Array(25));
    cluster.raft('b').propose(2, encoder.encode('y'), new Uint8Array(27));
    cluster.deliver();
    for (const id of ABC) {
      for (const message of sent(cluster, id)) expect('traces' in message || 'trace' in message).toBe(false);
    }
    expect(cluster.appliedText('c')).toEqual(['x', 'y']);
  });

  it('the entries in the log and applied carry no trace: the context is not replicated state', () => {
    const cluster = new EngineCluster(ABC);
    cluster.elect('a');
    cluster.raft('a').propose(1, encoder.encode('x'), contextOf(1));
    cluster.deliver();
    for (const id of ABC) {
      const entry = cluster.node(id).applied.at(-1)!;
      expect(Object.keys(entry).sort()).toEqual(['data', 'index', 'term', 'type']);
    }
  });
});

describe('trace context on a single-voter cluster', () => {
  it('a leader without followers keeps no context (nothing would ever prune it)', () => {
    const cluster = new EngineCluster(['solo']);
    cluster.elect('solo');
    cluster.raft('solo').propose(1, encoder.encode('x'), contextOf(1));
    cluster.deliver();
    expect(cluster.raft('solo').tracedInFlight()).toBe(0);
    expect(cluster.appliedText('solo')).toEqual(['x']);
  });
});
