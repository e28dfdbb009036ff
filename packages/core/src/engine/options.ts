import type { NodeId, RandomSource } from './types.js';

/** Tunables of the engine. Times are in ticks; the driver decides how long a tick is. */
export interface RaftOptions {
  readonly id: NodeId;
  /**
   * Ticks without hearing from a leader before a follower campaigns. The actual timeout is drawn
   * uniformly from [electionTicks, 2 * electionTicks) each time (Raft §5.2). Default 10.
   */
  readonly electionTicks?: number;
  /** Ticks between a leader's heartbeats. Must be well below electionTicks. Default 1. */
  readonly heartbeatTicks?: number;
  /** Run a pre-election round before raising the term (thesis §9.6). Default true. */
  readonly preVote?: boolean;
  /** A leader that hears from no quorum for an election timeout steps down (thesis §6.2). Default true. */
  readonly checkQuorum?: boolean;
  /**
   * Serve leader reads from the lease given by CheckQuorum instead of a heartbeat round. Only safe if
   * clocks drift less than the gap between the election timeout and the lease; see the README. Default
   * false. Requires checkQuorum.
   */
  readonly leaseRead?: boolean;
  /** Followers forward proposals to the leader instead of refusing them. Default true. */
  readonly forwardProposals?: boolean;
  /** At most this many AppendEntries in flight per follower in the replicate state. Default 256. */
  readonly maxInflightMessages?: number;
  /** Soft cap on the entry bytes in one AppendEntries (at least one entry is always sent). Default 1 MiB. */
  readonly maxBytesPerMessage?: number;
  /** Source of randomness in [0, 1); inject a seeded one for deterministic runs. Default Math.random. */
  readonly random?: RandomSource;
}

/** {@link RaftOptions} with every default filled in. */
export type ResolvedRaftOptions = Required<RaftOptions>;

/** Thrown by the engine's constructor for options that cannot work. */
export class InvalidOptionsError extends Error {
  readonly code = 'RAFT_INVALID_OPTIONS';
  override readonly name = 'InvalidOptionsError';
}

export function resolveOptions(options: RaftOptions): ResolvedRaftOptions {
  const resolved: ResolvedRaftOptions = {
    id: options.id,
    electionTicks: options.electionTicks ?? 10,
    heartbeatTicks: options.heartbeatTicks ?? 1,
    preVote: options.preVote ?? true,
    checkQuorum: options.checkQuorum ?? true,
    leaseRead: options.leaseRead ?? false,
    forwardProposals: options.forwardProposals ?? true,
    maxInflightMessages: options.maxInflightMessages ?? 256,
    maxBytesPerMessage: options.maxBytesPerMessage ?? 1024 * 1024,
    // Default only: deterministic callers always inject their own source.
    random: options.random ?? Math.random,
  };
  if (resolved.id === '') throw new InvalidOptionsError('id must be a non-empty string');
  if (!(resolved.heartbeatTicks >= 1)) throw new InvalidOptionsError('heartbeatTicks must be >= 1');
  if (!(resolved.electionTicks > resolved.heartbeatTicks)) {
    throw new InvalidOptionsError('electionTicks must be greater than heartbeatTicks');
  }
  if (resolved.leaseRead && !resolved.checkQuorum) {
    throw new InvalidOptionsError('leaseRead requires checkQuorum');
  }
  if (!(resolved.maxInflightMessages >= 1)) throw new InvalidOptionsError('maxInflightMessages must be >= 1');
  if (!(resolved.maxBytesPerMessage >= 1)) throw new InvalidOptionsError('maxBytesPerMessage must be >= 1');
  return resolved;
}
