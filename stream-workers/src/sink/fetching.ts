import type { Consumer } from 'kafkajs';
import type { Logger } from '@backbone/runtime';

type Wanted = { topic: string; partitions?: number[] };

/**
 * Pausing and resuming a consumer's fetches when the consumer may be restarting. kafkajs throws
 * from pause() and resume() between a crash it recovers from and its next run (its group is
 * gone then): a throw there once took the sink down in the middle of a broker failure. The
 * restarted consumer forgets its pauses, so the worker pauses again on joining the group
 * whatever still waits (a batch ClickHouse has not taken, a drained stream).
 */
export class Fetching {
  constructor(
    private readonly consumer: () => Consumer | undefined,
    private readonly logger: Logger,
  ) {}

  pause(wanted: Wanted[]): void {
    this.apply('pause', wanted);
  }

  resume(wanted: Wanted[]): void {
    this.apply('resume', wanted);
  }

  private apply(op: 'pause' | 'resume', wanted: Wanted[]): void {
    const consumer = this.consumer();
    if (!consumer || wanted.length === 0) return;
    try {
      consumer[op](wanted);
    } catch (err) {
      this.logger.debug(
        { err, op },
        'the consumer is restarting; fetches are set again on rejoining',
      );
    }
  }
}
