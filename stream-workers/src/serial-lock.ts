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
