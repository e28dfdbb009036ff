import type { HistoryOperation } from './history-operation.js';

/**
 * One line naming an operation, its answer and its interval, e.g. `#12 client 3 get("x") -> "b" [40, 45]`;
 * an unknown outcome shows as `-> ? [40, ?)`.
 */
export function describeOperation(entry: HistoryOperation): string {
  const { op, output } = entry;
  const key = JSON.stringify(op.key);
  let call: string;
  switch (op.kind) {
    case 'get':
    case 'delete':
      call = `${op.kind}(${key})`;
      break;
    case 'put':
      call = `put(${key}, ${JSON.stringify(op.value)})`;
      break;
    case 'cas':
      call = `cas(${key}, ${showValue(op.expected)} => ${JSON.stringify(op.value)})`;
      break;
    default: {
      const exhaustive: never = op;
      throw new Error(`unknown operation ${JSON.stringify(exhaustive)}`);
    }
  }
  let answer: string;
  if (output === undefined) answer = '?';
  else if (output.kind === 'get') answer = showValue(output.value);
  else if (output.kind === 'delete') answer = output.existed ? 'existed' : 'was absent';
  else if (output.kind === 'cas') answer = output.ok ? 'ok' : 'failed';
  else answer = 'ok';
  const interval =
    entry.completedAt === undefined
      ? `[${entry.invokedAt}, ?)`
      : `[${entry.invokedAt}, ${entry.completedAt}]`;
  return `#${entry.id} client ${entry.client} ${call} -> ${answer} ${interval}`;
}

/** A value as the explanation prints it: quoted, or `absent`. */
export function showValue(value: string | null): string {
  return value === null ? 'absent' : JSON.stringify(value);
}
