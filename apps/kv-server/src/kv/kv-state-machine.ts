import type { CommittedEntry, StateMachine } from '@raft/core';
import { decodeKvCommand, type KvCommand, type KvCondition } from './kv-command.js';
import { KvFormatError } from './kv-errors.js';
import { decodeKvSnapshot, encodeKvSnapshot } from './kv-snapshot-codec.js';
import {
  emptyKvState,
  type KvResult,
  type KvState,
  type MemberAddresses,
  type StoredValue,
} from './kv-state.js';

/** One key of a listing. */
export interface KvListItem {
  readonly key: string;
  readonly revision: number;
}

/** Whether `condition` holds for the key's current value. */
function conditionHolds(condition: KvCondition, current: StoredValue | undefined): boolean {
  switch (condition.kind) {
    case 'none':
      return true;
    case 'revision':
      return current !== undefined && current.revision === condition.revision;
    case 'exists':
      return current !== undefined;
    case 'absent':
      return current === undefined;
    default: {
      const never: never = condition;
      throw new TypeError(`unknown condition ${String(never)}`);
    }
  }
}

/**
 * The replicated key-value store. Deterministic: results depend only on the state and the entries (the
 * revision of a write is its log index; idempotency records expire against the newest stamp applied,
 * never against this machine's clock). Reads (`get`, `list`, `members`) see the state as of the last
 * applied entry; the HTTP layer puts a ReadIndex barrier in front of them for linearizable reads.
 */
export class KvStateMachine implements StateMachine<KvResult> {
  private state: KvState = emptyKvState();

  apply(entries: readonly CommittedEntry[]): KvResult[] {
    return entries.map((entry) => this.applyOne(entry));
  }

  get(key: string): StoredValue | undefined {
    return this.state.values.get(key);
  }

  /** Keys starting with `prefix` in code-unit order, at most `limit`; `more` says whether some were left out. */
  list(prefix: string, limit: number): { readonly items: KvListItem[]; readonly more: boolean } {
    const keys: string[] = [];
    for (const key of this.state.values.keys()) if (key.startsWith(prefix)) keys.push(key);
    keys.sort();
    const items = keys
      .slice(0, limit)
      .map((key) => ({ key, revision: this.state.values.get(key)!.revision }));
    return { items, more: keys.length > limit };
  }

  /** The number of keys stored. */
  get size(): number {
    return this.state.values.size;
  }

  /** The addresses each member announced through the log. */
  members(): ReadonlyMap<string, MemberAddresses> {
    return this.state.members;
  }

  /**
   * Captures the state now (shallow copies: stored values are immutable objects, replaced on write) and
   * streams it lazily while `apply` goes on.
   */
  snapshot(): AsyncIterable<Uint8Array> {
    const copy: KvState = {
      values: new Map(this.state.values),
      dedup: new Map(this.state.dedup),
      members: new Map(this.state.members),
      newestStamp: this.state.newestStamp,
    };
    return encodeKvSnapshot(copy);
  }

  /** Replaces the whole state with a snapshot's. The old state stays if the snapshot is malformed. */
  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.state = await decodeKvSnapshot(chunks);
  }

  private applyOne(entry: CommittedEntry): KvResult {
    let command: KvCommand;
    try {
      command = decodeKvCommand(entry.data);
    } catch (error) {
      // Only this program proposes, so this is a bug or a foreign writer; refusing the entry keeps every
      // node identical (they all refuse it) without stopping the node.
      if (error instanceof KvFormatError) return { status: 'invalid' };
      throw error;
    }
    this.advanceStamp(command.stamp);
    if (command.type === 'announce') {
      this.state.members.set(command.member, { clientUrl: command.clientUrl, peerUrl: command.peerUrl });
      return { status: 'ok', revision: entry.index };
    }
    const idempotency = command.idempotency;
    if (idempotency !== undefined) {
      const seen = this.state.dedup.get(idempotency.key);
      if (seen !== undefined) return seen.result;
    }
    const result = this.write(command, entry.index);
    if (idempotency !== undefined) {
      this.state.dedup.set(idempotency.key, { expiresAt: idempotency.expiresAt, result });
    }
    return result;
  }

  private write(command: KvCommand & { type: 'put' | 'delete' }, index: number): KvResult {
    const current = this.state.values.get(command.key);
    if (!conditionHolds(command.condition, current)) {
      return { status: 'precondition-failed', revision: current === undefined ? null : current.revision };
    }
    if (command.type === 'put') {
      this.state.values.set(command.key, { value: command.value, revision: index });
      return { status: 'ok', revision: index };
    }
    if (current === undefined) return { status: 'not-found' };
    this.state.values.delete(command.key);
    return { status: 'ok', revision: index };
  }

  /** Moves the replicated notion of "now" forward and forgets idempotency records that expired by it. */
  private advanceStamp(stamp: number): void {
    if (stamp <= this.state.newestStamp) return;
    this.state.newestStamp = stamp;
    // Records are in insertion order, which tracks expiry order closely (same TTL, stamps from roughly
    // synchronised clocks); stopping at the first live one keeps this O(expired).
    for (const [key, record] of this.state.dedup) {
      if (record.expiresAt > stamp) break;
      this.state.dedup.delete(key);
    }
  }
}
