import { describe, expect, it } from 'vitest';
import { formatViolation } from '../src/invariants/index.js';
import { type MembershipScenario, runSimulation, type SimulationReport } from '../src/simulator/index.js';

/** Founders of a run with `nodes: 5`: grow always starts from 3, the rest from 5 (see foundersFor). */
const founders = (count: number) => Array.from({ length: count }, (_, i) => `n${i + 1}`);

async function run(seed: number, membership: MembershipScenario): Promise<SimulationReport> {
  const report = await runSimulation({ seed, nodes: 5, membership });
  const detail = `replay: pnpm sim --seeds 1 --seed ${seed} --nodes 5 --membership ${membership}\n${report.violations
    .map(formatViolation)
    .join('\n')}`;
  expect(report.ok, detail).toBe(true);
  expect(report.linearizability, detail).toBe('ok');
  const stats = report.membership!;
  expect(stats.stepsDone, detail).toBe(stats.steps);
  // The cluster kept serving writes: while clients ran, each step waited for a newly acknowledged write.
  expect(stats.writesBetweenSteps.length, detail).toBe(stats.steps);
  return report;
}

describe('simulated membership changes under faults (thesis chapter 4)', () => {
  const seeds = [101, 102, 103];

  it('grow: 3 voters become 5, new members joining empty as learners', async () => {
    for (const seed of seeds) {
      const report = await run(seed, 'grow');
      expect(report.nodes).toBe(3);
      expect(report.membership!.finalVoters).toEqual(founders(5));
    }
  });

  it('shrink: 5 voters become 3, the leader possibly among those removed', async () => {
    for (const seed of seeds) {
      const report = await run(seed, 'shrink');
      expect(report.nodes).toBe(5);
      expect(report.membership!.finalVoters).toHaveLength(3);
    }
  });

  it('replace: every founding member is replaced, one joint swap at a time', async () => {
    for (const seed of seeds) {
      const report = await run(seed, 'replace');
      const final = report.membership!.finalVoters;
      expect(final).toHaveLength(5);
      expect(final.filter((node) => founders(5).includes(node))).toEqual([]);
    }
  });

  it('remove-leader: the leader is removed twice and replaced; the cluster elects among the rest', async () => {
    for (const seed of seeds) {
      const report = await run(seed, 'remove-leader');
      const final = report.membership!.finalVoters;
      expect(final).toHaveLength(5);
      // The first leader removed is a founder; the second may be the first newcomer (n6), if it leads by
      // then. The last newcomer (n7) always stays.
      expect(final.filter((node) => founders(5).includes(node)).length).toBeLessThanOrEqual(4);
      expect(final).toContain('n7');
    }
  });

  it('random: a random sequence of additions, removals and swaps keeps every invariant', async () => {
    for (const seed of seeds) await run(seed, 'random');
  });
});
