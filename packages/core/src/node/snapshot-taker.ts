import type { ClusterConfig, Entry, SnapshotMeta } from '../engine/types.js';
import { rechunk } from './rechunk.js';
import type { SnapshotHost } from './snapshot-host.js';

/**
 * Takes snapshots of this node's state machine and compacts the log behind them (Raft §7). The
 * state machine captures its state synchronously right after an apply (so the snapshot is exactly
 * the applied index); the data is then streamed to storage while the node keeps applying. Only saving
 * the snapshot and compacting pause the node, briefly.
 */
export class SnapshotTaker {
  private lastIndex: number;
  private bytesSince = 0;
  private inProgress = false;
  private phaseOf: { readonly config: ClusterConfig; readonly phase: number } | undefined;

  constructor(
    private readonly host: SnapshotHost,
    /** Index of the snapshot the node started from (0 without one). */
    startIndex: number,
  ) {
    this.lastIndex = startIndex;
  }

  /** A snapshot was installed from the leader: count from there. */
  reset(index: number): void {
    this.lastIndex = Math.max(this.lastIndex, index);
    this.bytesSince = 0;
  }

  /** Called right after entries were applied, before anything else is applied. */
  onApplied(entries: readonly Entry[], appliedIndex: number): void {
    for (const entry of entries) this.bytesSince += entry.data.length;
    const { everyEntries, everyBytes } = this.host.options;
    if (this.inProgress || (!this.reachedPoint(appliedIndex, everyEntries) && this.bytesSince < everyBytes))
      return;
    if (appliedIndex <= this.lastIndex) return;
    const engine = this.host.engine();
    const term = engine.log.term(appliedIndex);
    if (term === undefined) return;
    const meta: SnapshotMeta = { index: appliedIndex, term, config: engine.configAt(appliedIndex) };
    // Captured now, between applies: the stream shows exactly the state at `appliedIndex`.
    const source = this.host.stateMachine.snapshot!();
    this.inProgress = true;
    this.bytesSince = 0;
    void this.write(meta, source)
      .catch((error: unknown) => this.host.fail(error))
      .finally(() => {
        this.inProgress = false;
      });
  }

  /** Whether `appliedIndex` passed this member's next snapshot point after the last snapshot. */
  private reachedPoint(appliedIndex: number, everyEntries: number): boolean {
    const phase = this.phase(everyEntries);
    const last = Math.max(0, Math.floor((this.lastIndex - phase) / everyEntries));
    return Math.floor((appliedIndex - phase) / everyEntries) > last;
  }

  /** This member's offset in each run of `everyEntries` indices: its rank among the members, spread. */
  private phase(everyEntries: number): number {
    const config = this.host.engine().config;
    if (this.phaseOf?.config !== config) {
      const members = [...new Set([...config.voters, ...config.outgoingVoters, ...config.learners])].sort();
      const rank = Math.max(0, members.indexOf(this.host.id));
      this.phaseOf = { config, phase: Math.floor((rank * everyEntries) / Math.max(1, members.length)) };
    }
    return this.phaseOf.phase;
  }

  private async write(meta: SnapshotMeta, source: AsyncIterable<Uint8Array>): Promise<void> {
    const { storage, clock, options } = this.host;
    const startedAt = clock.now();
    const writer = await storage.beginSnapshot!(meta);
    let bytes = 0;
    for await (const chunk of rechunk(source, options.chunkBytes)) {
      if (!this.host.running()) {
        await writer.abort();
        return;
      }
      await writer.write(chunk);
      bytes += chunk.length;
    }
    await this.host.exclusive(async (engine) => {
      // A snapshot installed from the leader meanwhile is newer: this one is no longer needed.
      if (!this.host.running() || (engine.snapshot?.index ?? 0) >= meta.index) {
        await writer.abort();
        return;
      }
      await writer.save();
      engine.snapshotSaved(meta);
      this.lastIndex = meta.index;
      const before = engine.log.offset().index;
      const compactedTo = engine.compact(meta.index - options.keepEntries);
      if (compactedTo > before) await storage.compact!(compactedTo);
      this.host.observer?.({
        type: 'snapshot-created',
        index: meta.index,
        term: meta.term,
        bytes,
        durationMs: clock.now() - startedAt,
      });
    });
  }
}
