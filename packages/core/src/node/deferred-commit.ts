import type { HardState } from '../engine/types.js';

/**
 * The commit index is volatile state (Raft Figure 2): a node that loses it learns it again from the
 * leader. So the driver does not write a batch that changed nothing but the commit index; it keeps that
 * hard state here and the next write carries it. Under load every batch writes entries, so the stored
 * commit index stays current at no cost; when idle, a hard state that waited a whole tick is flushed on
 * its own, and stop flushes what is left, so a restart finds a recent commit index (which is also what
 * tells a removed node, on restart, that its removal was committed).
 */
export class DeferredCommit {
  private pending: HardState | undefined;
  private waitedATick = false;

  /** Keep `hardState` (newer than any kept before) until a write carries it. */
  defer(hardState: HardState): void {
    this.pending = hardState;
    this.waitedATick = false;
  }

  /** The hard state a write should carry: its own when it has one (that is the newer), else the kept one. */
  take(own: HardState | undefined): HardState | undefined {
    const hardState = own ?? this.pending;
    this.pending = undefined;
    return hardState;
  }

  /** Once per tick: the kept hard state, once it has waited a whole tick without a write to carry it. */
  takeIfStale(): HardState | undefined {
    if (this.pending === undefined) return undefined;
    if (!this.waitedATick) {
      this.waitedATick = true;
      return undefined;
    }
    return this.take(undefined);
  }
}
