import { fileURLToPath } from 'node:url';
import { type ProcessCluster, processCluster } from '@raft/service';

// What raft-kv's process tests know about raft-kv itself; starting, watching and stopping processes is
// @raft/service's harness (shared with raft-locks).

/** The raft-kv executable under test (runs the built dist in its own process). */
export const RAFT_KV_BIN = fileURLToPath(new URL('../../bin/raft-kv', import.meta.url));

/**
 * `size` raft-kv processes on loopback founded together, data under `root` (`<root>/n1`...), each
 * started with `args` after the shared service flags; restartable node by node with the same ports and data.
 */
export function kvCluster(root: string, size: number, args: readonly string[] = []): Promise<ProcessCluster> {
  return processCluster({ bin: RAFT_KV_BIN, root, size, args });
}
