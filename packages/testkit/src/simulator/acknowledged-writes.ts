import type { KvOperation } from '../linearizability/index.js';
import { decodeKvCommand } from './kv-state-machine.js';
import { describeKvOperation } from './simulated-clients.js';
import type { SimulatedCluster } from './simulated-cluster.js';

/**
 * Durability at the end of a run: every write acknowledged to a client must be in the committed log.
 * The reference log is the one with the highest commit index among the live nodes (after the quiet
 * phase, the leader's). Returns one line per lost write.
 */
export function findLostWrites(
  cluster: SimulatedCluster,
  acknowledged: ReadonlyMap<string, KvOperation>,
): string[] {
  let best: { node: string; ids: Set<string>; commit: number } | undefined;
  for (const node of cluster.nodeIds) {
    const inspection = cluster.inspect(node);
    if (inspection === undefined) continue;
    const commit = inspection.status.commitIndex;
    if (best !== undefined && best.commit >= commit) continue;
    const ids = new Set<string>();
    for (const entry of inspection.entries) {
      if (entry.index > commit) break;
      if (entry.type !== 'normal' || entry.data.length === 0) continue;
      ids.add(decodeKvCommand(entry.data).id);
    }
    best = { node, ids, commit };
  }
  const lost: string[] = [];
  for (const [id, op] of acknowledged) {
    if (best?.ids.has(id) !== true) {
      lost.push(
        `acknowledged ${id} (${describeKvOperation(op)}) is not in ${best?.node ?? 'any'}'s committed log (commit ${best?.commit ?? 0})`,
      );
    }
  }
  return lost;
}
