/**
 * Work accepted now and done after the answer, bounded: at most `concurrency` tasks run at once and
 * at most `maxQueued` wait. Past that, `offer` refuses (the caller answers 503 and the sender retries
 * later), so a flood costs a bounded amount of memory and a bounded share of whatever the tasks call.
 */
export interface WorkQueueOptions {
  concurrency: number;
  maxQueued: number;
  /** Every task's failure lands here (the queue itself never throws). */
  onError: (error: unknown) => void;
  /** Around each task from acceptance to its end: a shutdown waits for what was accepted. */
  track?: () => () => void;
}

export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #waiting: Array<{ task: () => Promise<unknown>; done: () => void }> = [];
  #running = 0;

  constructor(options: WorkQueueOptions) {
    this.#options = options;
  }

  /** Tasks running or waiting. */
  get size(): number {
    return this.#running + this.#waiting.length;
  }

  /** Accepts `task` for later, or false when the queue is full. */
  offer(task: () => Promise<unknown>): boolean {
    if (this.#running >= this.#options.concurrency && this.#waiting.length >= this.#options.maxQueued)
      return false;
    this.#waiting.push({ task, done: this.#options.track?.() ?? (() => undefined) });
    this.#next();
    return true;
  }

  #next(): void {
    while (this.#running < this.#options.concurrency) {
      const item = this.#waiting.shift();
      if (!item) return;
      this.#running += 1;
      void Promise.resolve()
        .then(item.task)
        .catch(this.#options.onError)
        .finally(() => {
          this.#running -= 1;
          item.done();
          this.#next();
        });
    }
  }
}
