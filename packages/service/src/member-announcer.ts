import type { RaftNode } from '@raft/core';
import type { Logger } from './json-logger.js';

/** Inputs of {@link announceMember}. */
export interface MemberAnnouncement {
  readonly node: RaftNode<unknown>;
  /** Whether the replicated state already holds this node's current addresses (then nothing is proposed). */
  readonly isKnown: () => boolean;
  /** The service's command that records this node's addresses in its replicated state. */
  readonly command: () => Uint8Array;
  readonly logger: Logger;
  /** Delay between attempts while no leader is known or a proposal fails. Default 200 ms. */
  readonly retryMs?: number;
}

/**
 * Publishes this node's addresses through the log once a leader is known, unless the replicated state
 * already has them, so that `GET /cluster` on every node can list every member's client URL. Retries
 * until it succeeds or `stop()` is called.
 */
export function announceMember(announcement: MemberAnnouncement): { stop(): void } {
  const { node, logger } = announcement;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = async (): Promise<void> => {
    if (stopped || announcement.isKnown()) return;
    if (node.status().leader !== '') {
      try {
        await node.propose(announcement.command());
        logger.debug('announced addresses');
        return;
      } catch (error) {
        logger.debug('announcing addresses failed; will retry', { error });
      }
    }
    if (!stopped) timer = setTimeout(() => void attempt(), announcement.retryMs ?? 200);
  };
  void attempt();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
