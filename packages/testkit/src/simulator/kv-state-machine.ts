import type { CommittedEntry, StateMachine } from '@raft/core';
import type { KvOperation, KvOutput } from '../linearizability/index.js';

/** What a simulated client proposes: an operation and an id unique in the run. */
export interface KvCommand {
  /** `client/sequence`, unique in a run; lets the end-of-run check find acknowledged writes in the log. */
  readonly id: string;
  readonly op: KvOperation;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A command as entry bytes (JSON, so traces and failing logs stay readable). */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** Decodes {@link encodeKvCommand}'s bytes. Throws on anything else. */
export function decodeKvCommand(bytes: Uint8Array): KvCommand {
  const value: unknown = JSON.parse(decoder.decode(bytes));
  if (typeof value !== 'object' || value === null || !('id' in value) || !('op' in value)) {
    throw new Error('not a KV command');
  }
  return value as KvCommand;
}

/** The replicated key-value store the simulated clients use. */
export interface KvStateMachine extends StateMachine<KvOutput> {
  /** The current value of `key` (local read: only linearizable after `RaftNode.read()`). */
  get(key: string): string | null;
  /** A copy of the whole store, for end-of-run comparisons. */
  dump(): Map<string, string>;
  /** Every command id applied so far, restored from snapshots too (the durability check's record). */
  appliedIds(): ReadonlySet<string>;
  snapshot(): AsyncIterable<Uint8Array>;
  restore(chunks: AsyncIterable<Uint8Array>): Promise<void>;
}

/** Keys per snapshot chunk: small, so simulated snapshots span many chunks and messages. */
const KEYS_PER_CHUNK = 8;

export interface KvStateMachineOptions {
  /** Sees every batch before it is applied (for State Machine Safety checks). */
  readonly onApply?: (entries: readonly CommittedEntry[]) => void;
  /**
   * Apply each command id at most once, answering a repeat with the first answer (the client session
   * table of Raft thesis §6.3). Off by default: the simulator then shows what a duplicated proposal does.
   */
  readonly deduplicate?: boolean;
}

/** Creates an empty KV store: put, get, delete and compare-and-set on a Map. */
export function kvStateMachine(options: KvStateMachineOptions = {}): KvStateMachine {
  let data = new Map<string, string>();
  let answered = new Map<string, KvOutput>();
  let applied = new Set<string>();
  const execute = (op: KvOperation): KvOutput => {
    switch (op.kind) {
      case 'get':
        return { kind: 'get', value: data.get(op.key) ?? null };
      case 'put':
        data.set(op.key, op.value);
        return { kind: 'put' };
      case 'delete':
        return { kind: 'delete', existed: data.delete(op.key) };
      case 'cas': {
        const current = data.get(op.key) ?? null;
        if (current !== op.expected) return { kind: 'cas', ok: false };
        data.set(op.key, op.value);
        return { kind: 'cas', ok: true };
      }
      default: {
        const unreachable: never = op;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  };
  return {
    apply(entries) {
      options.onApply?.(entries);
      return entries.map((entry) => {
        const command = decodeKvCommand(entry.data);
        applied.add(command.id);
        if (options.deduplicate === true) {
          const previous = answered.get(command.id);
          if (previous !== undefined) return previous;
        }
        const output = execute(command.op);
        if (options.deduplicate === true) answered.set(command.id, output);
        return output;
      });
    },
    get: (key) => data.get(key) ?? null,
    dump: () => new Map(data),
    appliedIds: () => applied,
    snapshot() {
      // Captured now; the stream reads the copies while the node keeps applying.
      const records: unknown[] = [...data].map(([key, value]) => ['d', key, value]);
      for (const [id, output] of answered) records.push(['a', id, output]);
      for (const id of applied) records.push(['i', id, 0]);
      return (async function* () {
        for (let at = 0; at < records.length; at += KEYS_PER_CHUNK) {
          yield encoder.encode(`${JSON.stringify(records.slice(at, at + KEYS_PER_CHUNK))}\n`);
        }
      })();
    },
    async restore(chunks) {
      const nextData = new Map<string, string>();
      const nextAnswered = new Map<string, KvOutput>();
      const nextApplied = new Set<string>();
      let text = '';
      for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
      for (const line of text.split('\n')) {
        if (line === '') continue;
        for (const [kind, key, value] of JSON.parse(line) as [string, string, unknown][]) {
          if (kind === 'd') nextData.set(key, value as string);
          else if (kind === 'a') nextAnswered.set(key, value as KvOutput);
          else nextApplied.add(key);
        }
      }
      data = nextData;
      answered = nextAnswered;
      applied = nextApplied;
    },
  };
}
