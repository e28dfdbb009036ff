import { describeOperation, showValue } from './describe-operation.js';
import { encodeKeyHistory } from './encode-key-history.js';
import type { HistoryOperation } from './history-operation.js';
import { type SearchBudget, searchLinearization } from './wgl-search.js';

/** Most operations a failure report lists. */
const MAX_REPORTED = 16;
/** Most searches spent dropping reads that are not needed to show the violation. */
const MAX_SHRINK_SEARCHES = 200;

/** A violation on one key, with the operations that show it and the words that explain it. */
export interface ViolationReport {
  readonly ok: false;
  readonly key: string;
  readonly operations: readonly HistoryOperation[];
  readonly explanation: string;
}

/**
 * Explains why one key's history (known to be non-linearizable) is not, in three sound steps:
 *
 * 1. Find the shortest failing prefix. Cutting the history at a return event (later calls dropped, later
 *    returns turned into unknown outcomes) only relaxes it, so failures are monotone in the cut and a
 *    binary search finds the first return, the culprit, whose answer no order can give.
 * 2. Drop reads (operations that change nothing) that are not needed: removing a read only relaxes a
 *    history too, so what remains still fails on its own.
 * 3. Name the culprit, the reads still needed, and the writes that bear on what each of them saw.
 */
export function explainViolation(
  key: string,
  history: readonly HistoryOperation[],
  budget: SearchBudget,
): ViolationReport {
  let searches = 0;
  const fails = (operations: readonly HistoryOperation[]): boolean => {
    searches++;
    return searchLinearization(encodeKeyHistory(operations), budget).kind === 'violation';
  };
  const operations = history.filter((entry) => entry.completedAt !== undefined || entry.op.kind !== 'get');
  const events = eventOrder(operations);
  const returns = events.flatMap((event, position) => (event.isCall ? [] : [position]));

  // Step 1. Invariant: the cut at returns[high] fails; the cut at returns[low] (if any) does not.
  let low = -1;
  let high = returns.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (fails(cutAt(events, returns[middle]!))) high = middle;
    else low = middle;
  }
  const cutPosition = returns[high]!;
  const culprit = events[cutPosition]!.entry;
  let kept = cutAt(events, cutPosition);

  // Step 2, delta-debugging style: drop reads in halves, then quarters, down to one at a time.
  const reads = kept.filter((entry) => entry !== culprit && isReadOnly(entry));
  const dropped = new Set<HistoryOperation>();
  for (let chunk = Math.ceil(reads.length / 2); chunk >= 1 && reads.length > 0; chunk = chunk >> 1) {
    for (let start = 0; start < reads.length && searches < MAX_SHRINK_SEARCHES; start += chunk) {
      const trial = new Set(reads.slice(start, start + chunk).filter((entry) => !dropped.has(entry)));
      if (trial.size === 0) continue;
      const candidate = kept.filter((entry) => !trial.has(entry));
      if (fails(candidate)) {
        kept = candidate;
        for (const entry of trial) dropped.add(entry);
      }
    }
    if (chunk === 1) break;
  }

  // Step 3.
  const neededReads = kept.filter((entry) => entry !== culprit && isReadOnly(entry));
  // Context comes from the whole key history: a write after the cut can still say where a value came from.
  const writes = history.filter((entry) => writtenValue(entry) !== undefined);
  const original = new Map(history.map((entry) => [entry.id, entry]));
  const prefixLength = cutAt(events, cutPosition).length;
  const lines = [
    `Key ${JSON.stringify(key)} is not linearizable: no order of its operations explains ${describeOperation(
      original.get(culprit.id) ?? culprit,
    )}.`,
    `Every operation before that answer arrived can be ordered; the shortest failing prefix has ${prefixLength} operation${prefixLength === 1 ? '' : 's'}.`,
  ];
  const reported = new Set<HistoryOperation>([culprit, ...neededReads]);
  for (const observer of [culprit, ...neededReads]) {
    const context = writeContext(observer, writes);
    const primary = observer === culprit;
    lines.push(...describeContext(observer, context, primary));
    const limit = primary ? 3 : 2;
    for (const entry of [
      ...context.producers.slice(-limit),
      ...context.latestBefore.slice(-limit),
      ...context.concurrent.slice(0, primary ? 5 : 2),
    ]) {
      reported.add(entry);
    }
  }
  if (neededReads.length > 0) {
    lines.push(
      `The conflict also needs ${neededReads.length === 1 ? 'this read' : 'these reads'}: ${neededReads
        .map(describeOperation)
        .join('; ')}.`,
    );
  }
  const involved = [...reported]
    .slice(0, MAX_REPORTED)
    .map((entry) => original.get(entry.id) ?? entry)
    .sort((a, b) => a.invokedAt - b.invokedAt || a.id - b.id);
  return { ok: false, key, operations: involved, explanation: lines.join('\n') };
}

interface Event {
  readonly entry: HistoryOperation;
  readonly isCall: boolean;
  readonly time: number;
}

/** Same order as the search uses: by time, calls before returns at equal times, then by id. */
function eventOrder(operations: readonly HistoryOperation[]): Event[] {
  const events: Event[] = [];
  for (const entry of operations) {
    events.push({ entry, isCall: true, time: entry.invokedAt });
    if (entry.completedAt !== undefined) events.push({ entry, isCall: false, time: entry.completedAt });
  }
  return events.sort(
    (a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.entry.id - b.entry.id,
  );
}

/** The history as it stood right after event `position`: later answers become unknown outcomes. */
function cutAt(events: readonly Event[], position: number): HistoryOperation[] {
  const returned = new Set<HistoryOperation>();
  for (let index = 0; index <= position; index++) {
    const event = events[index]!;
    if (!event.isCall) returned.add(event.entry);
  }
  const result: HistoryOperation[] = [];
  for (let index = 0; index <= position; index++) {
    const event = events[index]!;
    if (!event.isCall) continue;
    if (returned.has(event.entry)) result.push(event.entry);
    else if (event.entry.op.kind !== 'get') {
      result.push({ ...event.entry, completedAt: undefined, output: undefined });
    }
  }
  return result;
}

/** True when the answer says the operation left the state as it was. */
function isReadOnly(entry: HistoryOperation): boolean {
  const output = entry.output;
  if (output === undefined) return false;
  return (
    output.kind === 'get' ||
    (output.kind === 'cas' && !output.ok) ||
    (output.kind === 'delete' && !output.existed)
  );
}

/** The value the operation may have stored, or undefined if it stores nothing. */
function writtenValue(entry: HistoryOperation): { readonly value: string | null } | undefined {
  const { op, output } = entry;
  switch (op.kind) {
    case 'put':
      return { value: op.value };
    case 'delete':
      return output?.kind === 'delete' && !output.existed ? undefined : { value: null };
    case 'cas':
      return output?.kind === 'cas' && !output.ok ? undefined : { value: op.value };
    default:
      return undefined;
  }
}

/** What the answer says the operation saw: the value, or that it was not this value. */
function observationOf(
  entry: HistoryOperation,
): { readonly equals: boolean; readonly value: string | null } | undefined {
  const { op, output } = entry;
  if (output?.kind === 'get') return { equals: true, value: output.value };
  if (output?.kind === 'delete') return { equals: !output.existed, value: null };
  if (output?.kind === 'cas' && op.kind === 'cas') return { equals: output.ok, value: op.expected };
  return undefined;
}

interface WriteContext {
  /** Writes of the value the operation saw that were invoked before it completed, by invocation time. */
  readonly producers: readonly HistoryOperation[];
  /** Writes of the value the operation saw, invoked after it completed. */
  readonly laterProducers: readonly HistoryOperation[];
  /** Completed writes that ended before it began with no write wholly between them and it. */
  readonly latestBefore: readonly HistoryOperation[];
  /** Writes whose interval overlaps its own (unknown outcomes extend forever). */
  readonly concurrent: readonly HistoryOperation[];
}

function writeContext(observer: HistoryOperation, writes: readonly HistoryOperation[]): WriteContext {
  const observation = observationOf(observer);
  const end = observer.completedAt ?? Number.POSITIVE_INFINITY;
  const others = writes.filter((entry) => entry !== observer);
  const sameValue =
    observation?.equals === true
      ? others.filter((entry) => writtenValue(entry)?.value === observation.value)
      : [];
  const before = others.filter(
    (entry) => entry.completedAt !== undefined && entry.completedAt < observer.invokedAt,
  );
  const latestBefore = before.filter(
    (entry) =>
      !before.some(
        (later) =>
          later.invokedAt > (entry.completedAt ?? 0) && (later.completedAt ?? 0) < observer.invokedAt,
      ),
  );
  return {
    producers: sameValue.filter((entry) => entry.invokedAt <= end),
    laterProducers: sameValue.filter((entry) => entry.invokedAt > end),
    latestBefore,
    concurrent: others.filter(
      (entry) =>
        entry.invokedAt <= end &&
        (entry.completedAt === undefined || entry.completedAt >= observer.invokedAt),
    ),
  };
}

function describeContext(observer: HistoryOperation, context: WriteContext, primary: boolean): string[] {
  const observation = observationOf(observer);
  const name = primary ? 'It' : `#${observer.id}`;
  // The most recent few say the most; older ones are only counted.
  const list = (entries: readonly HistoryOperation[]): string => {
    const shown = entries.slice(-3).map(describeOperation).join('; ');
    return entries.length > 3 ? `${shown} (and ${entries.length - 3} earlier)` : shown;
  };
  const lines: string[] = [];
  if (observation !== undefined) {
    const seen = observation.equals
      ? `saw ${showValue(observation.value)}`
      : observation.value === null
        ? 'saw the key present'
        : `saw a value other than ${showValue(observation.value)}`;
    let source: string;
    if (!observation.equals) source = '';
    else if (context.producers.length > 0)
      source = `; writes that could have produced it: ${list(context.producers)}`;
    else if (observation.value === null) source = '; only the initial state (absent) could have produced it';
    else if (context.laterProducers.length > 0) {
      source = `, but that value was only written after it completed: ${list(context.laterProducers)}`;
    } else source = ', a value no operation wrote to this key';
    lines.push(`${name} ${seen}${source}.`);
  }
  if (context.latestBefore.length > 0) {
    lines.push(
      `The latest writes that completed before ${name.toLowerCase()} began: ${list(context.latestBefore)}.`,
    );
  } else if (primary) {
    lines.push('No write completed before it began, so the key was absent or being written concurrently.');
  }
  if (primary && context.concurrent.length > 0) {
    lines.push(`Writes concurrent with it: ${list(context.concurrent.slice(0, 5))}.`);
  }
  return lines;
}
