import type { NodeId, RaftStatus } from '@raft/core';

/** The time from a leader's crash to the next leader (of a higher term) anywhere in the cluster. */
export interface LeaderRecovery {
  readonly crashedLeader: NodeId;
  readonly term: number;
  /** Virtual ms. */
  readonly crashedAt: number;
  /** Virtual ms; undefined if no new leader appeared before the run ended. */
  recoveredAt: number | undefined;
}

/**
 * Counts elections and measures leader-loss recovery. A recovery is measured only while a majority
 * stays up: with most of the cluster down no election can succeed, which says nothing about the
 * protocol's recovery time.
 */
export interface LeadershipTracker {
  observe(time: number, node: NodeId, status: RaftStatus): void;
  /** The leader of the highest term seen, if it has not crashed since. */
  currentLeader(): NodeId | undefined;
  /** `majorityUp`: a majority of the voters (as the cluster now stands) is still running. */
  nodeCrashed(time: number, node: NodeId, lastStatus: RaftStatus | undefined, majorityUp: boolean): void;
  /** Terms in which some node became leader. */
  elections(): number;
  recoveries(): readonly LeaderRecovery[];
}

export function createLeadershipTracker(): LeadershipTracker {
  const leaderTerms = new Set<number>();
  let latest: { node: NodeId; term: number } | undefined;
  const recoveries: LeaderRecovery[] = [];
  let waiting: LeaderRecovery[] = [];
  return {
    observe(time, node, status) {
      if (status.role !== 'leader') return;
      leaderTerms.add(status.term);
      if (latest === undefined || status.term >= latest.term) latest = { node, term: status.term };
      if (waiting.length === 0) return;
      waiting = waiting.filter((recovery) => {
        if (status.term <= recovery.term) return true;
        recovery.recoveredAt = time;
        return false;
      });
    },
    currentLeader: () => latest?.node,
    nodeCrashed(time, node, lastStatus, majorityUp) {
      if (latest?.node === node) latest = undefined;
      if (!majorityUp) {
        // No election can succeed now: the pending measurements would time the outage, not Raft.
        for (const recovery of waiting) recoveries.splice(recoveries.indexOf(recovery), 1);
        waiting = [];
        return;
      }
      if (lastStatus?.role !== 'leader') return;
      const recovery: LeaderRecovery = {
        crashedLeader: node,
        term: lastStatus.term,
        crashedAt: time,
        recoveredAt: undefined,
      };
      recoveries.push(recovery);
      waiting.push(recovery);
    },
    elections: () => leaderTerms.size,
    recoveries: () => recoveries,
  };
}
