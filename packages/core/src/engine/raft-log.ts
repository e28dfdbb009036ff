import type { Entry, LogPosition } from './types.js';

/** The engine found its own state impossible: a bug or a broken disk. The node must stop. */
export class RaftInvariantError extends Error {
  readonly code = 'RAFT_INVARIANT';
  override readonly name = 'RaftInvariantError';
}

/**
 * The uncompacted log, held in memory (compaction bounds it), with the durability and apply cursors:
 *
 *   offset <= snapshot index <= applied <= committed        entries (offset, lastIndex]
 *
 * `offset` is the compaction point: the last discarded entry, whose term is kept for the consistency
 * check of the entry after it. Compaction may keep entries the snapshot covers (for slow followers).
 *   persistedIndex: entries up to here are durable; unstableFrom: first index not yet handed to storage
 *
 * The engine reads only from memory, so it stays synchronous; storage is written through Ready batches.
 */
export class RaftLog {
  private entries: Entry[];
  /** Index and term of the last discarded entry (0, 0 before any compaction). */
  private offsetIndex: number;
  private offsetTerm: number;
  committed: number;
  applied: number;
  /** Highest index known durable on this node. */
  persistedIndex: number;
  /** First index not yet handed out in a Ready for persisting. */
  private unstableFrom: number;
  /** Highest index handed out to be applied (by a Ready or early); `applied` catches up with it. */
  private handedOut = 0;

  /**
   * @param offset the last discarded entry (compaction point), or (0, 0)
   * @param covered the snapshot's index (0 without one): committed and applied are at least this
   */
  constructor(
    entries: readonly Entry[],
    offset: LogPosition,
    covered: number,
    committed: number,
    applied: number,
  ) {
    this.entries = [...entries];
    this.offsetIndex = offset.index;
    this.offsetTerm = offset.term;
    const last = this.lastIndex();
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i]!.index !== offset.index + 1 + i) {
        throw new RaftInvariantError(`log has a gap or disorder at position ${i}`);
      }
    }
    if (covered < offset.index || covered > last) {
      throw new RaftInvariantError(`snapshot at ${covered} lies outside the log (${offset.index}, ${last}]`);
    }
    this.committed = Math.min(Math.max(committed, covered), last);
    this.applied = Math.min(Math.max(applied, covered), this.committed);
    this.persistedIndex = last;
    this.unstableFrom = last + 1;
  }

  firstIndex(): number {
    return this.offsetIndex + 1;
  }

  lastIndex(): number {
    return this.offsetIndex + this.entries.length;
  }

  lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.offsetTerm : last.term;
  }

  /** Term of the entry at `index`; undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.offsetIndex) return this.offsetTerm;
    const entry = this.entries[index - this.offsetIndex - 1];
    return entry?.term;
  }

  entry(index: number): Entry | undefined {
    return this.entries[index - this.offsetIndex - 1];
  }

  /** True if the log holds an entry at `index` with `term` (the AppendEntries consistency check, §5.3). */
  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [from, to), stopping early once `maxBytes` of data is reached (always at least one). */
  slice(from: number, to: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    const start = Math.max(from, this.firstIndex()) - this.offsetIndex - 1;
    const end = Math.min(to, this.lastIndex() + 1) - this.offsetIndex - 1;
    if (end <= start) return [];
    if (maxBytes === Number.POSITIVE_INFINITY) return this.entries.slice(start, end);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = start; i < end; i++) {
      const entry = this.entries[i]!;
      bytes += entry.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** All in-memory entries (read-only view for inspection). */
  view(): readonly Entry[] {
    return this.entries;
  }

  /**
   * The largest index at or below `index` whose term is at most `term`: where two logs can first agree
   * given a conflict hint. Lets a leader skip a whole term of conflicting entries per round trip.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.offsetIndex) {
      const t = this.term(i)!;
      if (t <= term) return i;
      i--;
    }
    return this.offsetIndex;
  }

  /** Append entries at the end (leader path). They must continue the log. */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex() + 1)
        throw new RaftInvariantError(`append at ${entry.index} leaves a gap`);
      this.entries.push(entry);
    }
  }

  /**
   * Follower path of AppendEntries (§5.3): if our log has (prevIndex, prevTerm), drop our entries that
   * conflict with `entries`, append the new ones, and return the index of the last entry the leader sent.
   * Returns undefined when the consistency check fails. Truncating committed entries is impossible in a
   * correct cluster and raises RaftInvariantError.
   */
  tryAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      const ours = this.term(entry.index);
      if (ours === entry.term) continue;
      if (ours !== undefined) {
        if (entry.index <= this.committed) {
          throw new RaftInvariantError(
            `entry ${entry.index} conflicts with the committed log (${this.committed})`,
          );
        }
        this.truncateFrom(entry.index);
      }
      this.append(entries.slice(k));
      break;
    }
    return lastNew;
  }

  /** Counts suffix truncations, so callers can tell when entries they derived state from went away. */
  truncations = 0;

  /** Drop entries at and after `index`. Only uncommitted entries may go. */
  private truncateFrom(index: number): void {
    this.truncations++;
    this.entries.length = index - this.offsetIndex - 1;
    if (this.persistedIndex >= index) this.persistedIndex = index - 1;
    if (this.unstableFrom > index) this.unstableFrom = index;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.lastIndex())
      throw new RaftInvariantError(`commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /** Entries that should be persisted now; marks them handed out. */
  takeUnstable(): Entry[] {
    const out = this.slice(this.unstableFrom, this.lastIndex() + 1);
    this.unstableFrom = this.lastIndex() + 1;
    return out;
  }

  hasUnstable(): boolean {
    return this.unstableFrom <= this.lastIndex();
  }

  /** Storage confirmed entries up to `entry`; ignored if a newer leader replaced that entry meanwhile. */
  persistedTo(entry: Entry): void {
    if (this.term(entry.index) === entry.term && entry.index > this.persistedIndex) {
      this.persistedIndex = entry.index;
    }
  }

  /**
   * The highest index that may be applied: committed, so durable on a quorum, and handed to this
   * node's storage in a Ready (its write may still be in flight). A committed entry never changes, so
   * applying it need not wait for this node's own copy (Raft thesis §10.2.1): a leader whose disk is
   * slower than both followers' answers with their writes. Entries not yet handed out for writing
   * wait, so a snapshot, which is saved between batches, never gets ahead of the entries below it.
   */
  applyLimit(): number {
    return Math.min(this.committed, this.unstableFrom - 1);
  }

  hasEntriesToApply(): boolean {
    return this.applyLimit() > this.lastHandedOut();
  }

  /** Applied or handed out for applying (`applied` also jumps on its own to a snapshot). */
  private lastHandedOut(): number {
    return Math.max(this.applied, this.handedOut);
  }

  /**
   * Entries up to {@link applyLimit} not yet applied nor handed out for applying; they count as handed
   * out from now on, so a driver applying one batch while taking the next never gets an entry twice.
   */
  takeEntriesToApply(): Entry[] {
    const from = this.lastHandedOut() + 1;
    const limit = this.applyLimit();
    if (limit < from) return [];
    this.handedOut = limit;
    return this.slice(from, limit + 1);
  }

  appliedTo(index: number): void {
    if (index > this.applied) this.applied = index;
    if (index > this.handedOut) this.handedOut = index;
  }

  /** The compaction point: the last discarded entry. */
  offset(): LogPosition {
    return { index: this.offsetIndex, term: this.offsetTerm };
  }

  /**
   * Discard entries up to and including `index` (Raft §7). Only entries that are applied and durable
   * may go; the caller clamps to that. Returns whether anything was discarded.
   */
  compactTo(index: number): boolean {
    if (index <= this.offsetIndex) return false;
    if (index > this.applied || index > this.persistedIndex) {
      throw new RaftInvariantError(`cannot compact through ${index}: applied ${this.applied}`);
    }
    const term = this.term(index)!;
    this.entries.splice(0, index - this.offsetIndex);
    this.offsetIndex = index;
    this.offsetTerm = term;
    return true;
  }

  /**
   * Rebase the log on an installed snapshot at `at` (Raft §7): keep the entries after it when our log
   * holds its last entry durably with the same term (the store applies the same rule to what it holds),
   * else discard the whole log. Commit and applied move to the snapshot.
   */
  restore(at: LogPosition): void {
    const keep = at.index <= this.persistedIndex && this.term(at.index) === at.term;
    if (keep) {
      this.entries.splice(0, at.index - this.offsetIndex);
    } else {
      this.entries.length = 0;
      this.truncations++;
      this.persistedIndex = at.index;
      this.unstableFrom = at.index + 1;
    }
    this.offsetIndex = at.index;
    this.offsetTerm = at.term;
    if (this.committed < at.index) this.committed = at.index;
    if (this.applied < at.index) this.applied = at.index;
    if (this.persistedIndex < at.index) this.persistedIndex = at.index;
    if (this.unstableFrom <= at.index) this.unstableFrom = at.index + 1;
  }
}
