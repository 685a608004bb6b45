/** How long a joined reader may read nothing before a wait for a topic's end is over. */
const IDLE_MS = 2000;

/**
 * Where a reader of compacted topics is, and waits for it to get somewhere: the subject
 * store's reader of the keys and the ledger.
 */
export class ReadPositions {
  /** topic:partition → next offset the reader will see. */
  private readonly next = new Map<string, bigint>();
  private readonly waiters = new Set<() => void>();
  /** When the reader joined, and last read a batch: a compacted topic's end can be a gap. */
  private joinedAt = 0;
  private readAt = 0;

  constructor(
    private readonly timeoutMs: number,
    /** The reader's failure for good, if it failed: waits end with it. */
    private readonly failed: () => Error | undefined,
  ) {}

  joined(): void {
    this.joinedAt = Date.now();
  }

  /** The reader read a batch of `topic:partition` up to `next` (exclusive). */
  advance(tp: string, next: bigint): void {
    this.readAt = Date.now();
    if (next > (this.next.get(tp) ?? 0n)) this.next.set(tp, next);
    for (const check of [...this.waiters]) check();
  }

  /**
   * Waits until the reader is at or past each target offset. A compacted topic's end may be
   * a gap (a tombstone removed after delete.retention.ms) that no record ever fills: with
   * `endMayBeGap`, a reader that has joined and read nothing for IDLE_MS counts as there.
   */
  async reach(targets: Map<string, bigint>, endMayBeGap: boolean): Promise<void> {
    const done = () =>
      [...targets].every(([tp, next]) => (this.next.get(tp) ?? 0n) >= next) ||
      (endMayBeGap &&
        this.joinedAt > 0 &&
        Date.now() - Math.max(this.joinedAt, this.readAt) > IDLE_MS);
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        clearInterval(idle);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        const failed = this.failed();
        if (failed) finish(failed);
        else if (done()) finish();
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(`the subject topics were not read to their end within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
      const idle = setInterval(check, IDLE_MS / 4);
      this.waiters.add(check);
    });
  }
}
