import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvents } from '@backbone/schemas';
import { waitFor } from '@backbone/test';
import { TABLES } from '@backbone/warehouse/tables';
import { pageViews } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';

/**
 * Partitions added to a topic under running workers (docs/operations.md § Capacity): enrich
 * notices them within its metadata age (KAFKA_METADATA_MAX_AGE_MS), the group rebalances,
 * and records on the new partitions land like the others, without a restart.
 */
let p: Pipeline;
beforeAll(async () => {
  p = await pipelineFixture();
}, 60_000);
afterAll(async () => {
  await p?.close();
});

/**
 * Raw web events onto one partition, whatever their keys say, by a producer of its own: one
 * that read the topic's metadata before partitions were added would not know the partition.
 */
async function produceTo(partition: number, values: StreamEvents['web'][]) {
  const fresh = p.kafka.producer();
  await fresh.connect();
  try {
    await fresh.send({
      topic: p.topics('raw', 'web'),
      acks: -1,
      messages: values.map((v) => ({
        key: v.envelope.session_id,
        value: p.raw.encode('web', v),
        partition,
      })),
    });
  } finally {
    await fresh.disconnect();
  }
}

const landed = async () =>
  Number(
    (await p.rows<{ n: string }>(`SELECT count() AS n FROM {db}.${TABLES.webEvents}`))[0]?.n ?? 0,
  );

describe('partitions added under running workers', () => {
  it('reads the new partitions without a restart: every record once', async () => {
    await p.startEnrich({ fetch: { metadataMaxAgeMs: 1000 } });
    await p.startSink();
    await p.produce('web', pageViews(20));
    await waitFor(async () => (await landed()) === 20, { timeoutMs: 30_000 });

    const admin = p.kafka.admin();
    await admin.connect();
    await admin.createPartitions({
      topicPartitions: [{ topic: p.topics('raw', 'web'), count: 4 }],
    });
    await admin.disconnect();
    const added = Date.now();
    await produceTo(3, pageViews(10));
    await waitFor(async () => (await landed()) === 30, {
      timeoutMs: 30_000,
      description: 'the records of the new partition in ClickHouse',
    });
    console.log(`records on an added partition landed ${Date.now() - added} ms after the change`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await landed()).toBe(30);
  });
});
