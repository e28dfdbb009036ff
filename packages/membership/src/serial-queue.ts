import type { AbortSignalLike } from '@raft/core';
import { abortReason } from './clock-wait.js';

/**
 * Runs tasks one after another, in call order. The core takes one membership change at a time; a
 * workflow is several changes with waits in between, so two workflows on the same leader would trip
 * over each other. A caller whose signal aborts while it waits for its turn leaves the queue at once.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>, signal?: AbortSignalLike): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    return new Promise<T>((resolve, reject) => {
      let started = false;
      const onAbort = (): void => {
        if (started) return;
        started = true;
        // Our turn is handed on as soon as the one before us finishes; we never ran.
        void previous.then(release);
        reject(abortReason(signal!));
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort);
      void previous.then(async () => {
        signal?.removeEventListener('abort', onAbort);
        if (started) return;
        started = true;
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
        } finally {
          release();
        }
      });
    });
  }
}
