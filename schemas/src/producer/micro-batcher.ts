import { BufferFullError } from '../errors.js';

export interface MicroBatcherOptions<T> {
  /** Flush as soon as this many items wait. */
  maxBatch: number;
  /** Otherwise flush this long after the first item of a batch arrived. */
  lingerMs: number;
  /** Items waiting or in flight, at most; past it `add` refuses (back-pressure, not buffering). */
  maxPending: number;
  /** Delivers one batch; its items resolve when it resolves and reject when it rejects. */
  flush: (items: T[]) => Promise<void>;
}

interface Entry<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Lets concurrent callers share one delivery: items collect for at most `lingerMs` (or until
 * `maxBatch`), one batch is in flight at a time, and what arrives meanwhile forms the next
 * batch — so under load batches grow instead of round trips multiplying. Batches go out in
 * arrival order, which keeps per-key order.
 */
export class MicroBatcher<T> {
  private queue: Entry<T>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;

  constructor(private readonly options: MicroBatcherOptions<T>) {}

  /** Items waiting or being delivered. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  add(item: T): Promise<void> {
    if (this.pending >= this.options.maxPending)
      return Promise.reject(new BufferFullError(this.options.maxPending));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.lingerMs);
    });
  }

  /** Delivers everything accepted so far; resolves when nothing is pending. */
  async drain(): Promise<void> {
    while (this.pending > 0) {
      this.kick();
      await this.sending;
    }
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.sending || this.queue.length === 0) return;
    this.sending = this.sendLoop().finally(() => {
      this.sending = undefined;
    });
  }

  private async sendLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight = batch.length;
      try {
        await this.options.flush(batch.map((e) => e.item));
        for (const e of batch) e.resolve();
      } catch (err) {
        for (const e of batch) e.reject(err);
      } finally {
        this.inFlight = 0;
      }
    }
  }
}
