import type { MessageType } from '../engine/messages.js';
import type { NodeId, Role } from '../engine/types.js';

/** Typed events from a running node. Subscribe with an {@link Observer}; nothing is computed without one. */
export type RaftEvent =
  | { readonly type: 'role-changed'; readonly role: Role; readonly term: number; readonly leader: NodeId }
  | { readonly type: 'committed'; readonly index: number }
  | {
      readonly type: 'applied';
      readonly index: number;
      readonly entries: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'persisted';
      readonly entries: number;
      readonly bytes: number;
      readonly durationMs: number;
    }
  | { readonly type: 'message-sent'; readonly messageType: MessageType; readonly to: NodeId }
  | { readonly type: 'message-received'; readonly messageType: MessageType; readonly from: NodeId }
  | {
      readonly type: 'proposal-settled';
      readonly outcome: 'applied' | 'rejected' | 'failed';
      readonly durationMs: number;
    }
  | { readonly type: 'read-settled'; readonly outcome: 'served' | 'rejected'; readonly durationMs: number };

/** Receives every {@link RaftEvent}. Must not throw; keep it cheap (it runs on the node's loop). */
export type Observer = (event: RaftEvent) => void;
