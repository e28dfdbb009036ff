import type { NodeId, RaftInspection } from '@raft/core';
import type { KvOperation } from '../linearizability/index.js';
import { decodeKvCommand } from './kv-state-machine.js';
import { describeKvOperation } from './simulated-clients.js';

/**
 * Durability at the end of a run: every write acknowledged to a client must be in the committed log.
 * The reference log is the one with the highest commit index among `nodes` (after the quiet phase, the
 * leader's). After compaction its prefix lives only in the snapshot: `appliedIds` gives, per node, the
 * command ids its state machine holds (restored from snapshots and applied since), which covers it.
 * Returns one line per lost write.
 */
export function findLostWrites(
  nodes: ReadonlyMap<NodeId, RaftInspection>,
  acknowledged: ReadonlyMap<string, KvOperation>,
  appliedIds: ReadonlyMap<NodeId, ReadonlySet<string>> = new Map(),
): string[] {
  let best: { node: NodeId; ids: Set<string>; commit: number } | undefined;
  for (const [node, inspection] of nodes) {
    const commit = inspection.status.commitIndex;
    if (best !== undefined && best.commit >= commit) continue;
    const ids = new Set<string>(appliedIds.get(node));
    for (const entry of inspection.entries) {
      if (entry.index > commit) break;
      if (entry.type !== 'normal' || entry.data.length === 0) continue;
      ids.add(decodeKvCommand(entry.data).id);
    }
    best = { node, ids, commit };
  }
  const lost: string[] = [];
  for (const [id, op] of acknowledged) {
    if (best?.ids.has(id) === true) continue;
    lost.push(
      `acknowledged ${id} (${describeKvOperation(op)}) is not in ${best?.node ?? 'any node'}'s committed log ` +
        `(commit index ${best?.commit ?? 0})`,
    );
  }
  return lost;
}
