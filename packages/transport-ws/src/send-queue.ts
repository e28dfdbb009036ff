import type { Message } from '@raft/core';
import { BATCH_OVERHEAD_BYTES, messageSizeBound } from './message-size-bound.js';

/** Most messages put in one frame (the core decoder's default limit is 100,000). */
export const MAX_MESSAGES_PER_FRAME = 10_000;

/**
 * A FIFO of messages for one peer, bounded by count and by bytes (upper-bound estimates). A message
 * that does not fit is refused rather than growing the queue: Raft tolerates the loss, and a slow peer
 * cannot make this node run out of memory.
 */
export class SendQueue {
  private messages: Message[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.messages.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Adds `message` and returns true, or returns false if it would exceed a bound. */
  push(message: Message): boolean {
    const size = messageSizeBound(message);
    if (this.length + 1 > this.maxMessages || this.queuedBytes + size > this.maxBytes) return false;
    this.messages.push(message);
    this.sizes.push(size);
    this.queuedBytes += size;
    return true;
  }

  /**
   * Removes and returns the oldest messages whose size bounds, with a batch frame's overhead, fit in
   * `budget` bytes; always at least one message when the queue is not empty (the caller checks a lone
   * oversized message after encoding it).
   */
  take(budget: number): Message[] {
    const batch: Message[] = [];
    let bytes = BATCH_OVERHEAD_BYTES;
    while (this.head < this.messages.length && batch.length < MAX_MESSAGES_PER_FRAME) {
      const size = this.sizes[this.head]!;
      if (batch.length > 0 && bytes + size > budget) break;
      batch.push(this.messages[this.head]!);
      bytes += size;
      this.queuedBytes -= size;
      this.head++;
    }
    this.compact();
    return batch;
  }

  /** Removes and returns everything. */
  clear(): Message[] {
    const rest = this.messages.slice(this.head);
    this.messages = [];
    this.sizes = [];
    this.head = 0;
    this.queuedBytes = 0;
    return rest;
  }

  private compact(): void {
    if (this.head === this.messages.length) {
      this.messages = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
