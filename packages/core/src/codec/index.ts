export { decodeConfig, encodeConfig } from './config-codec.js';
export { decodeEntry, encodedEntrySize, encodeEntry, encodeEntryInto } from './entry-codec.js';
export { decodeHardState, encodeHardState } from './hard-state-codec.js';
export { decodeMessage, decodeMessages, encodeMessage, encodeMessages } from './message-codec.js';
export type { DecodeLimits } from './wire-format.js';
export { CODEC_VERSION } from './wire-format.js';
