import type { Entry, Message } from '@raft/core';

/**
 * A deep copy of a message, so a receiver never shares an object or a byte array with its sender (as
 * over a real wire). Used when no codec is plugged into the simulated network.
 */
export function cloneMessage(message: Message): Message {
  switch (message.type) {
    case 'AppendEntries':
      return { ...message, entries: message.entries.map(cloneEntry) };
    case 'Propose':
      return { ...message, data: message.data.slice() };
    default:
      return { ...message };
  }
}

function cloneEntry(entry: Entry): Entry {
  return { index: entry.index, term: entry.term, type: entry.type, data: entry.data.slice() };
}
