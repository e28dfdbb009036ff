import { describe, expect, it } from 'vitest';
import { growCluster } from '../examples/grow-cluster.mjs';

// The README's walkthrough is this file: running it here keeps it from rotting.

interface ExampleResult {
  readonly config: { readonly voters: readonly string[]; readonly outgoingVoters: readonly string[] };
  readonly committedBeforeJoins: number;
  readonly committedWhileGrowing: number;
  readonly stateMachines: ReadonlyMap<string, { readonly values: readonly string[] }>;
}

describe('examples/grow-cluster.mjs', () => {
  it('grows a running cluster from 3 to 5 voters through the join protocol while writes keep committing', async () => {
    const lines: string[] = [];
    const result = (await growCluster({ log: (line: string) => lines.push(line) })) as ExampleResult;
    expect([...result.config.voters].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(result.config.outgoingVoters).toEqual([]);
    expect(result.committedWhileGrowing).toBeGreaterThan(result.committedBeforeJoins);
    // The newcomers hold the early writes, which they could only get from a snapshot or the log.
    for (const id of ['d', 'e']) expect(result.stateMachines.get(id)?.values[0]).toBe('write 0');
    expect(lines.at(-1)).toContain('final voters');
  });
});
