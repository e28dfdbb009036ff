import type { Message } from '../engine/messages.js';
import type { Observer } from '../interfaces/observer.js';

/**
 * Messages delivered to an observed node, reported as one `messages-received` event per burst: one
 * microtask after the first of them arrived, or sooner when the node emits any other event (`flush`),
 * so an observer sees a message before anything the node does in reaction to it. Per message this is
 * an array push; a leader under load receives hundreds of responses between two of its batches.
 */
export class ReceivedMessages {
  private messages: Message[] = [];
  /** A flush is queued: later arrivals ride on it. */
  private scheduled = false;
  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly observer: Observer) {}

  add(message: Message): void {
    this.messages.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    // A resolved promise is a microtask in every runtime, with no DOM or Node typings needed.
    void Promise.resolve().then(this.flushLater);
  }

  /** Report what arrived since the last report, if anything. */
  flush(): void {
    if (this.messages.length === 0) return;
    const messages = this.messages;
    // A new array: the observer may still hold the reported one while it runs.
    this.messages = [];
    this.observer({ type: 'messages-received', messages });
  }
}

/**
 * The observer the driver emits through: reports the messages received so far before any other event,
 * so an observer sees a message before anything the node does in reaction to it.
 */
export function orderedObserver(observer: Observer): {
  readonly emit: Observer;
  readonly received: ReceivedMessages;
} {
  const received = new ReceivedMessages(observer);
  return {
    received,
    emit: (event) => {
      received.flush();
      observer(event);
    },
  };
}
