import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import type { GroupOffsets } from '../group-offsets.js';

/** A batch of a transaction: its partition and the offset of its last record. */
export interface BatchEnd {
  payload: { batch: { topic: string; partition: number } };
  last: string;
}

/**
 * The batches of a failed transaction that committed all the same: the commit was written and
 * only its answer lost (a broker died, a coordinator moved). Asked once the transactional
 * producer has been renewed, when the coordinator has settled the transaction: a batch whose
 * partition's committed offset is past its last record was committed (by this transaction, or
 * by the member the partition went to) and must not be read again, which would write it
 * twice.
 */
export async function committedDespite<B extends BatchEnd>(
  batches: B[],
  options: {
    offsets: GroupOffsets;
    groupId: string;
    logger: Logger;
    running: () => boolean;
    cause: unknown;
  },
): Promise<B[]> {
  const byTopic = new Map<string, number[]>();
  for (const { payload } of batches) {
    const { topic, partition } = payload.batch;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  }
  const committed = await options.offsets.settled(
    options.groupId,
    [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    options,
  );
  if (!committed) return [];
  const done = batches.filter(
    ({ payload: { batch }, last }) =>
      (committed.get(`${batch.topic}:${batch.partition}`) ?? -1n) > BigInt(last),
  );
  if (done.length > 0)
    options.logger.warn(
      { batches: done.length, of: batches.length, err: options.cause },
      'a transaction reported as failed had committed; its batches are not read again',
    );
  return done;
}

/**
 * Where each partition's next unwritten record is, so that no record is written twice:
 *
 * - at a join, the partition's stable committed offset. A plain offset fetch (the only kind
 *   kafkajs makes) can answer the offset from before a transaction that is still completing,
 *   the previous owner's or this member's own;
 * - after each commit, the offset after the committed batch. kafkajs fetches from each
 *   partition's leader, and while leaders move (a broker stops or comes back) a batch fetched
 *   from the old leader can be handed over after the same records, fetched from the new one,
 *   have been committed.
 *
 * The records of a batch before that position are skipped, never written again.
 */
export class Positions {
  private readonly next = new Map<string, Promise<bigint>>();

  constructor(
    private readonly offsets: GroupOffsets,
    private readonly options: { groupId: string; logger: Logger; running: () => boolean },
  ) {}

  /** Partitions may have moved: each one's position is read again on its next batch. */
  clear(): void {
    this.next.clear();
  }

  /** A batch's records from its partition's position on. */
  async unread(batch: EachBatchPayload['batch']): Promise<KafkaMessage[]> {
    const from = await this.of(batch.topic, batch.partition);
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= from);
    if (messages.length < batch.messages.length)
      this.options.logger.info(
        {
          topic: batch.topic,
          partition: batch.partition,
          skipped: batch.messages.length - messages.length,
          from: String(from),
        },
        'records already committed skipped',
      );
    return messages;
  }

  /** After a commit: the partition goes on after `last`. */
  advance(topic: string, partition: number, last: string): void {
    this.next.set(`${topic}:${partition}`, Promise.resolve(BigInt(last) + 1n));
  }

  /** A partition's position; at first the stable committed offset (-1 when it has none). */
  private of(topic: string, partition: number): Promise<bigint> {
    const key = `${topic}:${partition}`;
    let next = this.next.get(key);
    if (!next) {
      next = this.offsets
        .settled(this.options.groupId, [{ topic, partitions: [partition] }], this.options)
        .then((read) => {
          const from = read?.get(key) ?? -1n;
          this.options.logger.info(
            { topic, partition, from: String(from) },
            'partition read from its stable committed offset',
          );
          return from;
        });
      this.next.set(key, next);
    }
    return next;
  }
}
