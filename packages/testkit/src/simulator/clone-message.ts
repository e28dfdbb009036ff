import type { Entry, Message } from '@raft/core';

/**
 * A deep copy of a message, so a receiver never shares an object or a byte array with its sender (as
 * over a real wire). Used when no codec is plugged into the simulated network.
 */
export function cloneMessage(message: Message): Message {
  switch (message.type) {
    case 'AppendEntries': {
      const entries = message.entries.map(cloneEntry);
      if (message.traces === undefined) return { ...message, entries };
      const traces = message.traces.map((trace) => ({ index: trace.index, context: trace.context.slice() }));
      return { ...message, entries, traces };
    }
    case 'Propose':
      return message.trace === undefined
        ? { ...message, data: message.data.slice() }
        : { ...message, data: message.data.slice(), trace: message.trace.slice() };
    default:
      return { ...message };
  }
}

function cloneEntry(entry: Entry): Entry {
  return { index: entry.index, term: entry.term, type: entry.type, data: entry.data.slice() };
}
