import type { Raft } from '../engine/raft.js';

interface Task {
  readonly run: (engine: Raft) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Work that must run alone between the driver's batches, such as installing a snapshot: while a task
 * runs, engine inputs (messages, ticks, proposals) are held back in arrival order and fed in when it
 * ends, so neither the engine nor storage moves under the task.
 */
export class ExclusiveTasks {
  private readonly tasks: Task[] = [];
  private held: ((engine: Raft) => void)[] | undefined;

  /** True while a task runs: inputs must be deferred with {@link defer}. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  get pending(): boolean {
    return this.tasks.length > 0;
  }

  add<T>(run: (engine: Raft) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.tasks.push({ run, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  defer(feed: (engine: Raft) => void): void {
    this.held?.push(feed);
  }

  /**
   * Run the next task with inputs held, then feed the held inputs to `engine` in order. A task's own
   * error goes to its caller; an error of a held input is thrown (it is the engine's).
   */
  async runNext(engine: Raft): Promise<void> {
    const task = this.tasks.shift();
    if (task === undefined) return;
    this.held = [];
    try {
      task.resolve(await task.run(engine));
    } catch (error) {
      task.reject(error);
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const feed of held) feed(engine);
    }
  }

  /** The node stopped: every waiting task fails with `error`. */
  rejectAll(error: unknown): void {
    const tasks = this.tasks.splice(0);
    this.held = undefined;
    for (const task of tasks) task.reject(error);
  }
}
