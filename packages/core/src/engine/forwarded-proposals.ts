import type { NodeId } from './types.js';

/** Where a forwarded proposal landed. */
export interface Placement {
  readonly index: number;
  readonly term: number;
}

/**
 * Forwarded proposals this node appended, by sender and the sender's proposal id. A transport may
 * deliver a Propose twice (a retry, a duplicating network); appending it again would apply the command
 * twice. A duplicate is answered with the first placement instead. Bounded: the oldest are forgotten
 * first, so only a duplicate delayed past `capacity` newer forwarded proposals could slip through.
 * Senders make ids unique across their restarts (the driver starts each run at a random base).
 */
export class ForwardedProposals {
  private readonly placements = new Map<string, Placement>();

  constructor(private readonly capacity = 8192) {}

  get(from: NodeId, proposalId: number): Placement | undefined {
    return this.placements.get(`${from}\u0000${proposalId}`);
  }

  remember(from: NodeId, proposalId: number, placement: Placement): void {
    this.placements.set(`${from}\u0000${proposalId}`, placement);
    if (this.placements.size > this.capacity) {
      const oldest = this.placements.keys().next().value;
      if (oldest !== undefined) this.placements.delete(oldest);
    }
  }
}
