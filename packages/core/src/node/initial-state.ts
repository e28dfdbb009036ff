import { decodeConfig, encodeConfig } from '../codec/config-codec.js';
import { allMembers } from '../engine/config.js';
import type { RaftInitialState } from '../engine/raft.js';
import type { ClusterConfig, Entry, HardState, NodeId } from '../engine/types.js';
import { NodeRemovedError } from '../errors.js';
import type { PersistedState, Storage } from '../interfaces/storage.js';

/** True when the store holds nothing at all: a node that never ran. */
function isEmpty(state: PersistedState): boolean {
  return (
    state.hardState.term === 0 &&
    state.hardState.vote === '' &&
    state.hardState.commit === 0 &&
    state.entries.length === 0 &&
    state.snapshot === undefined
  );
}

/**
 * Read what the node persisted and turn it into the engine's starting point. On an empty store with
 * `initialMembers`, bootstrap first: persist one committed `config` entry at (index 1, term 1) naming
 * the founding voters. Every founder writes the identical entry, so their logs agree from the start and
 * no founder can win an election with a log that lacks the configuration (Log Matching, Raft §5.3).
 */
export async function loadInitialState(
  storage: Storage,
  initialMembers: readonly NodeId[] | undefined,
): Promise<RaftInitialState> {
  const persisted = await storage.load();
  if (isEmpty(persisted) && initialMembers !== undefined && initialMembers.length > 0) {
    const hardState: HardState = { term: 1, vote: '', commit: 1 };
    const config: Entry = {
      index: 1,
      term: 1,
      type: 'config',
      data: encodeConfig({ voters: [...initialMembers], outgoingVoters: [], learners: [] }),
    };
    await storage.persist({ hardState, entries: [config] });
    return { hardState, entries: [config], snapshot: undefined, applied: 0 };
  }
  return {
    hardState: persisted.hardState,
    entries: persisted.entries,
    snapshot: persisted.snapshot,
    compacted: persisted.compacted,
    // The driver restores the state machine from the snapshot before starting; the log after the
    // snapshot is then re-applied.
    applied: persisted.snapshot?.index ?? 0,
  };
}

/**
 * A node whose storage shows it was a member of a committed configuration, and whose latest committed
 * configuration leaves it out, was removed: it must not come back under that id as if nothing happened.
 * A node still joining is not refused: its log may hold committed configurations from before it was
 * added (it crashed before receiving the one that adds it), but none that ever named it. When the
 * configurations that named it were compacted into a snapshot taken after its removal, the node cannot
 * tell and starts; it is then a non-member that never campaigns, so nothing is at risk.
 */
export function refuseIfRemoved(id: NodeId, initial: RaftInitialState, committed: ClusterConfig): void {
  if (committed.voters.length === 0 || allMembers(committed).includes(id)) return;
  if (!wasMember(id, initial)) return;
  throw new NodeRemovedError(
    `node ${id} was removed from the cluster (the committed configuration in its storage is ` +
      `${committed.voters.join(',')}); add it again, or start it with empty storage to join anew`,
  );
}

/** Whether a committed configuration in the snapshot or the log names `id`. */
function wasMember(id: NodeId, initial: RaftInitialState): boolean {
  if (initial.snapshot !== undefined && allMembers(initial.snapshot.config).includes(id)) return true;
  for (const entry of initial.entries) {
    if (entry.index > initial.hardState.commit) break;
    if (entry.type === 'config' && allMembers(decodeConfig(entry.data)).includes(id)) return true;
  }
  return false;
}
