import type { RejectReason } from '../engine/ready.js';
import type { NodeId } from '../engine/types.js';
import {
  ConfigChangeInProgressError,
  InvalidConfigError,
  NotLeaderError,
  ProposalDroppedError,
  type RaftError,
} from '../errors.js';

/** Maps the engine's refusal of a proposal or read onto the typed error the caller sees. */
export function rejectionError(reason: RejectReason, leaderHint: NodeId): RaftError {
  switch (reason) {
    case 'not-leader':
      return new NotLeaderError(leaderHint);
    case 'dropped':
      return new ProposalDroppedError('the leader dropped the request');
    case 'transferring':
      return new ProposalDroppedError('a leadership transfer is in progress');
    case 'config-in-progress':
      return new ConfigChangeInProgressError('another membership change is not finished yet');
    case 'invalid-config':
      return new InvalidConfigError(
        'the configuration needs at least one voter and distinct, non-empty member ids, and must not be joint',
      );
    default: {
      const unknown: never = reason;
      throw new Error(`unknown reject reason ${String(unknown)}`);
    }
  }
}
