import { describe, expect, it } from 'vitest';
import { formatViolation } from '../src/invariants/index.js';
import { type MembershipScenario, runSimulation } from '../src/simulator/index.js';

/**
 * Every seed that ever exposed a bug, replayed with the CLI's defaults (all faults). A seed replays
 * exactly while the engine draws the same random numbers; after a change that shifts them it still
 * runs a faulty history, and the table says which bug it first caught.
 */
const REGRESSIONS: readonly {
  seed: number;
  nodes: number;
  bug: string;
  membership?: MembershipScenario;
}[] = [
  // A duplicated Propose message made the leader append a forwarded command twice, so a client's delete
  // was applied twice (linearizability). Fixed by deduplicating forwarded proposals in the engine.
  { seed: 1, nodes: 5, bug: 'duplicated forwarded proposal applied twice' },
  { seed: 28, nodes: 5, bug: 'duplicated forwarded proposal applied twice' },
  { seed: 32, nodes: 5, bug: 'duplicated forwarded proposal applied twice' },
  { seed: 33, nodes: 5, bug: 'duplicated forwarded proposal applied twice' },
  { seed: 51, nodes: 5, bug: 'duplicated forwarded proposal applied twice' },
  {
    seed: 1992,
    nodes: 5,
    bug: 'snapshot sender resent a chunk on every duplicate acknowledgement (message storm)',
  },
  // A joining node that crashed before it received the entry adding it held only older committed
  // configurations, which core took for proof of removal: it refused to restart and the change stalled.
  { seed: 23, nodes: 5, membership: 'grow', bug: 'joining node refused to restart as if removed' },
  { seed: 15, nodes: 5, membership: 'grow', bug: 'joining node refused to restart as if removed' },
  { seed: 16, nodes: 5, membership: 'replace', bug: 'joining node refused to restart as if removed' },
  { seed: 6, nodes: 5, membership: 'random', bug: 'joining node refused to restart as if removed' },
];

describe('simulator regression seeds', () => {
  for (const { seed, nodes, bug, membership } of REGRESSIONS) {
    const scenario = membership === undefined ? '' : ` --membership ${membership}`;
    it(`seed ${seed} (${nodes} nodes${scenario}) stays clean: ${bug}`, async () => {
      const report = await runSimulation({
        seed,
        nodes,
        ...(membership === undefined ? {} : { membership }),
      });
      const detail = `replay: pnpm sim --seeds 1 --seed ${seed} --nodes ${nodes}${scenario}\n${report.violations.map(formatViolation).join('\n')}`;
      expect(report.ok, detail).toBe(true);
      expect(report.linearizability, detail).toBe('ok');
    });
  }
});
