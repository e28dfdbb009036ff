import type { NodeId } from '@raft/core';
import { InvalidAddressError, InvalidMemberIdError } from './errors.js';

/** Longest node id accepted, in UTF-16 code units. */
export const MAX_MEMBER_ID_LENGTH = 256;
/** Longest address accepted, in UTF-16 code units. */
export const MAX_ADDRESS_LENGTH = 2048;

// Whitespace and control characters: an id or address holding them is almost always a parsing
// mistake upstream (a trailing newline from a file, a tab-separated line), and they make logs lie.
const FORBIDDEN = /[\s\p{Cc}]/u;

/**
 * Checks a node id before it goes into a configuration: a string of 1 to {@link MAX_MEMBER_ID_LENGTH}
 * characters without whitespace or control characters. Ids are replicated in every configuration
 * entry and printed in every log line, so a bad one is refused at the door rather than stored forever.
 *
 * @throws InvalidMemberIdError (`RAFT_MEMBERSHIP_INVALID_ID`)
 */
export function validateMemberId(id: unknown): NodeId {
  if (typeof id !== 'string') throw new InvalidMemberIdError(`a node id must be a string, got ${typeof id}`);
  if (id.length === 0) throw new InvalidMemberIdError('a node id must not be empty');
  if (id.length > MAX_MEMBER_ID_LENGTH) {
    throw new InvalidMemberIdError(`a node id must be at most ${MAX_MEMBER_ID_LENGTH} characters`);
  }
  if (FORBIDDEN.test(id)) {
    throw new InvalidMemberIdError('a node id must not contain whitespace or control characters');
  }
  return id;
}

/**
 * Checks a member's transport address (opaque to this package: `ws://10.0.0.4:7001`, `10.0.0.4:7001`,
 * whatever the transport understands): a string of 1 to {@link MAX_ADDRESS_LENGTH} characters without
 * whitespace or control characters.
 *
 * @throws InvalidAddressError (`RAFT_MEMBERSHIP_INVALID_ADDRESS`)
 */
export function validateAddress(address: unknown): string {
  if (typeof address !== 'string') {
    throw new InvalidAddressError(`an address must be a string, got ${typeof address}`);
  }
  if (address.length === 0) throw new InvalidAddressError('an address must not be empty');
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw new InvalidAddressError(`an address must be at most ${MAX_ADDRESS_LENGTH} characters`);
  }
  if (FORBIDDEN.test(address)) {
    throw new InvalidAddressError('an address must not contain whitespace or control characters');
  }
  return address;
}
