import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, kafkaLogCreator, kafkaAuth } from '@backbone/runtime';
import { testStack, waitFor } from '@backbone/test';
import { pageViews } from './event-set.js';
import { pipelineFixture } from './pipeline-fixture.js';

let p: Awaited<ReturnType<typeof pipelineFixture>>;
beforeAll(async () => {
  p = await pipelineFixture();
});
afterAll(async () => {
  await p.close();
});

describe('enrich in a steady state', () => {
  it('writes no error-level line, neither its own nor a kafkajs one, under steady traffic', async () => {
    const lines: { level: number; msg: string; error?: string }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const logger = createLogger({ name: 'enrich', level: 'info', destination });
    // As enrich.main builds it: kafkajs warnings and errors through the worker's logger.
    const kafka = new Kafka({
      ...kafkaAuth(),
      clientId: `${p.id}-steady`,
      brokers: testStack().kafkaBrokers.split(','),
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(logger),
    });
    await p.startEnrich({ logger, kafka });
    const out = await p.collect('events', 'web');
    // Small batches close together: each becomes a transaction right after the previous
    // commit, which is when the coordinator answers CONCURRENT_TRANSACTIONS.
    const rounds = 60;
    for (let i = 0; i < rounds; i++) {
      await p.produce('web', pageViews(5, { sessions: 5 }));
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => out.length >= rounds * 5, {
      timeoutMs: 60_000,
      description: 'every event enriched',
    });
    expect(out).toHaveLength(rounds * 5);
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors.map((l) => `${l.msg}: ${l.error ?? ''}`)).toEqual([]);
  });
});
