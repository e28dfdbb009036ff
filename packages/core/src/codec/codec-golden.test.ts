import { describe, expect, it } from 'vitest';
import type { Message } from '../engine/messages.js';
import type { ClusterConfig, Entry, HardState } from '../engine/types.js';
import { decodeConfig, encodeConfig } from './config-codec.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { decodeHardState, encodeHardState } from './hard-state-codec.js';
import { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';

// Rule: the bytes of format version 1 never change (see wire-format.ts). These frames were derived by
// hand from the format description, not captured from the encoder, so a change to either fails here.
// If one fails, the format changed: that needs a CODEC_VERSION bump, not a new golden value.

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
function fromHex(text: string): Uint8Array {
  return new Uint8Array(text.split(' ').map((pair) => Number.parseInt(pair, 16)));
}

const requestVote: Message = {
  type: 'RequestVote',
  from: 'n1',
  to: 'n2',
  term: 5,
  preVote: true,
  lastLogIndex: 300,
  lastLogTerm: 4,
  transfer: false,
};
// version 1, kind message, tag 2, "n1", "n2", term 5, preVote 1, 300 = ac 02, lastLogTerm 4, transfer 0
const requestVoteHex = '01 00 02 02 6e 31 02 6e 32 05 01 ac 02 04 00';

const appendEntries: Message = {
  type: 'AppendEntries',
  from: 'n1',
  to: 'n3',
  term: 7,
  prevLogIndex: 10,
  prevLogTerm: 6,
  entries: [
    { index: 11, term: 7, type: 'normal', data: new Uint8Array([0xde, 0xad]) },
    { index: 12, term: 7, type: 'config', data: new Uint8Array() },
  ],
  leaderCommit: 9,
};
// tag 0, ids, term 7, prevLogIndex 10, prevLogTerm 6, leaderCommit 9, 2 entries:
// (11, 7, normal, [de ad]) and (12, 7, config, [])
const appendEntriesHex = '01 00 00 02 6e 31 02 6e 33 07 0a 06 09 02 0b 07 00 02 de ad 0c 07 01 00';

const batch: Message[] = [
  { type: 'Heartbeat', from: 'a', to: 'b', term: Number.MAX_SAFE_INTEGER, commit: 128, readSeq: 0 },
  { type: 'TimeoutNow', from: 'é', to: '', term: 1 },
];
// kind batch, 2 messages; Heartbeat (tag 4) with term 2^53 - 1 in 8 bytes and commit 128 = 80 01;
// TimeoutNow (tag 6) from "é" (UTF-8 c3 a9) to "" with term 1
const batchHex = '01 01 02 04 01 61 01 62 ff ff ff ff ff ff ff 0f 80 01 00 06 02 c3 a9 00 01';

const entry: Entry = { index: 1, term: 1, type: 'normal', data: new Uint8Array([1, 2, 3]) };
const entryHex = '01 02 01 01 00 03 01 02 03';

const hardState: HardState = { term: 3, vote: 'n2', commit: 16384 };
// commit 2^14 = 80 80 01
const hardStateHex = '01 03 03 02 6e 32 80 80 01';

const config: ClusterConfig = { voters: ['a', 'b'], outgoingVoters: [], learners: ['c'] };
const configHex = '01 04 02 01 61 01 62 00 01 01 63';

describe('golden bytes of codec version 1', () => {
  it('pins a RequestVote', () => {
    expect(hex(encodeMessage(requestVote))).toBe(requestVoteHex);
    expect(decodeMessage(fromHex(requestVoteHex))).toStrictEqual(requestVote);
  });

  it('pins an AppendEntries with a normal and a config entry', () => {
    expect(hex(encodeMessage(appendEntries))).toBe(appendEntriesHex);
    expect(decodeMessage(fromHex(appendEntriesHex))).toStrictEqual(appendEntries);
  });

  it('pins a batch with a maximal varint and a non-ASCII id', () => {
    expect(hex(encodeMessages(batch))).toBe(batchHex);
    expect(decodeMessages(fromHex(batchHex))).toStrictEqual(batch);
  });

  it('pins an entry, a hard state and a config', () => {
    expect(hex(encodeEntry(entry))).toBe(entryHex);
    expect(decodeEntry(fromHex(entryHex))).toStrictEqual(entry);
    expect(hex(encodeHardState(hardState))).toBe(hardStateHex);
    expect(decodeHardState(fromHex(hardStateHex))).toStrictEqual(hardState);
    expect(hex(encodeConfig(config))).toBe(configHex);
    expect(decodeConfig(fromHex(configHex))).toStrictEqual(config);
  });
});
