/** Runs tasks one at a time, in call order (a partition's batches and flushes; enrich's transactions). */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get busy(): boolean {
    return this.pending > 0;
  }

  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(task).finally(() => this.pending--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Runs at most `limit` tasks at once; the others wait, in call order, for a free turn. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // A waiting task takes the turn over; otherwise the turn is free again.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
