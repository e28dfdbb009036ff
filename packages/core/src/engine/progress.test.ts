import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inflights } from './inflights.js';
import { Progress } from './progress.js';

// Progress is the leader's nextIndex/matchIndex per follower (Raft §5.3) plus etcd-style flow control.
// Replay a property failure with PROGRESS_SEED=<seed>.

const SEED = Number(process.env['PROGRESS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

function replicating(match: number, maxInflight = 3): Progress {
  const progress = new Progress(match + 1, maxInflight);
  progress.maybeUpdate(match);
  progress.becomeReplicate();
  return progress;
}

describe('Inflights: the bounded window of unacknowledged appends', () => {
  it('is full at capacity and refuses more', () => {
    const inflights = new Inflights(3);
    for (const last of [1, 2, 3]) inflights.add(last);
    expect(inflights.full()).toBe(true);
    expect(() => inflights.add(4)).toThrow();
  });

  it('frees every message whose last index is acknowledged, and only those', () => {
    const inflights = new Inflights(4);
    for (const last of [2, 5, 9]) inflights.add(last);
    inflights.freeUpTo(4);
    expect(inflights.size).toBe(2);
    inflights.freeUpTo(5);
    expect(inflights.size).toBe(1);
    inflights.freeUpTo(8);
    expect(inflights.size).toBe(1);
    inflights.freeUpTo(100);
    expect(inflights.size).toBe(0);
  });

  it('keeps order across the wrap-around of its ring buffer', () => {
    const inflights = new Inflights(3);
    for (const last of [1, 2, 3]) inflights.add(last);
    inflights.freeUpTo(2);
    inflights.add(4);
    inflights.add(5);
    expect(inflights.full()).toBe(true);
    inflights.freeUpTo(4);
    expect(inflights.size).toBe(1);
    inflights.reset();
    expect(inflights.size).toBe(0);
    expect(inflights.full()).toBe(false);
  });

  it(`matches a plain queue under random adds and frees (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(fc.constant<'add'>('add'), fc.nat({ max: 40 })), { maxLength: 60 }),
        (capacity, ops) => {
          const inflights = new Inflights(capacity);
          const model: number[] = [];
          let last = 0;
          for (const op of ops) {
            if (op === 'add') {
              if (model.length === capacity) continue;
              last += 1;
              inflights.add(last);
              model.push(last);
            } else {
              inflights.freeUpTo(op);
              while (model.length > 0 && model[0]! <= op) model.shift();
            }
            expect(inflights.size).toBe(model.length);
            expect(inflights.full()).toBe(model.length === capacity);
          }
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('Progress: probe state', () => {
  it('starts probing at the given next index and is not paused', () => {
    const progress = new Progress(11, 4);
    expect(progress).toMatchObject({ state: 'probe', next: 11, match: 0 });
    expect(progress.isPaused()).toBe(false);
  });

  it('pauses after sending a probe and resumes on any answer', () => {
    const progress = new Progress(11, 4);
    progress.probeSent = true;
    expect(progress.isPaused()).toBe(true);
    progress.maybeUpdate(0); // even a stale acknowledgement proves the follower answered
    expect(progress.isPaused()).toBe(false);
  });

  it('a rejection of the probe in flight lowers next using the hint and unpauses', () => {
    const progress = new Progress(11, 4);
    progress.probeSent = true;
    expect(progress.maybeDecrease(10, 4)).toBe(true);
    expect(progress.next).toBe(5); // the follower's logs may agree up to the hint: resend from hint + 1
    expect(progress.isPaused()).toBe(false);
  });

  it('a rejection of a probe that is not the one in flight is stale and ignored', () => {
    const progress = new Progress(11, 4);
    progress.probeSent = true;
    expect(progress.maybeDecrease(7, 2)).toBe(false);
    expect(progress.next).toBe(11);
    expect(progress.isPaused()).toBe(true);
  });

  it.each([
    // [match, next, rejectedIndex, hintIndex, expected next]
    [0, 11, 10, 4, 5], // hint inside the range: resume after it
    [0, 11, 10, 20, 10], // hint beyond the rejected index: step back by one only
    [6, 11, 10, 2, 7], // hint below match: never go back past what is known to match
    [0, 11, 10, 0, 1], // the follower's log is empty: start from the first entry
  ])(
    'maybeDecrease hint arithmetic: match %i, next %i, rejected %i, hint %i -> next %i',
    (match, next, rejected, hint, expected) => {
      const progress = new Progress(next, 4);
      progress.match = match;
      expect(progress.maybeDecrease(rejected, hint)).toBe(true);
      expect(progress.next).toBe(expected);
    },
  );

  it('a rejection at the match index itself (a follower that lost synced data) stays paused: no resend storm', () => {
    const progress = new Progress(7, 4);
    progress.match = 6;
    progress.probeSent = true;
    expect(progress.maybeDecrease(6, 3)).toBe(false);
    expect(progress.next).toBe(7);
    expect(progress.isPaused()).toBe(true);
  });

  it(`after an accepted probe rejection, match < next <= the rejected index or match + 1 (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 120 }), (match, gap, hint) => {
        const rejected = match + gap + 1;
        const progress = new Progress(rejected + 1, 4);
        progress.match = match;
        expect(progress.maybeDecrease(rejected, hint)).toBe(true);
        expect(progress.next).toBeGreaterThan(match);
        expect(progress.next).toBeLessThanOrEqual(Math.max(rejected, match + 1));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('Progress: replicate state', () => {
  it('becoming replicate resumes from match + 1 with an empty window', () => {
    const progress = replicating(5, 2);
    expect(progress).toMatchObject({ state: 'replicate', match: 5, next: 6 });
    expect(progress.isPaused()).toBe(false);
  });

  it('pauses only when the inflight window is full', () => {
    const progress = replicating(5, 2);
    progress.inflights.add(6);
    expect(progress.isPaused()).toBe(false);
    progress.inflights.add(7);
    expect(progress.isPaused()).toBe(true);
    progress.inflights.freeUpTo(6);
    expect(progress.isPaused()).toBe(false);
  });

  it('an acknowledgement raises match and never lowers next', () => {
    const progress = replicating(5);
    progress.next = 10; // pipelined up to 9
    expect(progress.maybeUpdate(7)).toBe(true);
    expect(progress).toMatchObject({ match: 7, next: 10 });
    expect(progress.maybeUpdate(12)).toBe(true);
    expect(progress).toMatchObject({ match: 12, next: 13 });
  });

  it('a stale acknowledgement (at or below match) changes nothing', () => {
    const progress = replicating(5);
    progress.next = 10;
    expect(progress.maybeUpdate(5)).toBe(false);
    expect(progress.maybeUpdate(3)).toBe(false);
    expect(progress).toMatchObject({ match: 5, next: 10 });
  });

  it('a stale rejection (at or below match) is ignored', () => {
    const progress = replicating(5);
    progress.next = 10;
    expect(progress.maybeDecrease(5, 1)).toBe(false);
    expect(progress.maybeDecrease(2, 1)).toBe(false);
    expect(progress).toMatchObject({ state: 'replicate', match: 5, next: 10 });
  });

  it('a real rejection sends next back to match + 1', () => {
    const progress = replicating(5);
    progress.next = 10;
    expect(progress.maybeDecrease(7, 6)).toBe(true);
    expect(progress.next).toBe(6);
  });

  it('falling back to probe resets the window and resumes from match + 1', () => {
    const progress = replicating(5, 2);
    progress.next = 8;
    progress.inflights.add(6);
    progress.inflights.add(7);
    progress.becomeProbe();
    expect(progress).toMatchObject({ state: 'probe', match: 5, next: 6, probeSent: false });
    expect(progress.inflights.size).toBe(0);
  });
});

describe('Progress: snapshot state', () => {
  it('sends nothing while a snapshot is on its way', () => {
    const progress = new Progress(1, 4);
    progress.state = 'snapshot';
    expect(progress.isPaused()).toBe(true);
  });
});
