import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConfigResourceTypes, type KafkaMessage } from 'kafkajs';
import { freePort, REPO_ROOT, startRegistryProcess, stopProcess } from '@backbone/deploy/local';
import {
  checkSchemas,
  confluentRegistry,
  registerSchemas,
  StreamSerde,
  type StreamEvents,
} from '@backbone/schemas';
import {
  createTestTopic,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
  testTempDir,
} from '@backbone/test';
import { envelope } from '../src/samples.test-support.js';

const run = promisify(execFile);

const pageView: StreamEvents['web'] = {
  envelope: envelope('page_view', {
    event_id: '6f1c2b1e-0d7b-4f7e-8a3c-2b9d5e4f6a71',
    session_id: 'session-42',
    anonymous_id: null,
    context: {
      ip: null,
      user_agent: null,
      locale: 'en-US',
      timezone: null,
      page_url: null,
      referrer: null,
    },
  }),
  payload: { 'backbone.events.web.PageView': { url: '/products/shoes', title: null } },
};

describe('event contracts on the real stack', () => {
  it('has the catalog topics, with their partitions and retention', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({
        topics: ['raw.web.v1', 'events.stt.session.v1'],
      });
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ['events.stt.session.v1', 3],
        ['raw.web.v1', 6],
      ]);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'raw.web.v1' }],
      });
      const retention = configs.resources[0]?.configEntries.find(
        (e) => e.configName === 'retention.ms',
      );
      expect(retention?.configValue).toBe('604800000');
    } finally {
      await admin.disconnect();
    }
  });

  it('writes Confluent-framed Avro that a consumer reads back and the registry decodes', async () => {
    const url = testStack().schemaRegistryUrl;
    await registerSchemas(url);
    const serde = await StreamSerde.open(confluentRegistry(url), 'raw');
    const kafka = testKafka();
    const topic = await createTestTopic(kafka, 'serde');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: pageView.envelope.session_id, value: serde.encode('web', pageView) }],
    });
    await producer.disconnect();

    const received: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('serde') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => Promise.resolve(void received.push(message)),
    });
    try {
      await waitFor(() => received.length === 1, { timeoutMs: 20_000, description: 'the record' });
    } finally {
      await consumer.disconnect();
    }
    const bytes = received[0]?.value as Buffer;
    const latest = (await (
      await fetch(`${url}/subjects/raw.web.v1-value/versions/latest`)
    ).json()) as { id: number };
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(latest.id);
    expect(received[0]?.key?.toString()).toBe('session-42');
    expect(await serde.decode(bytes)).toEqual(pageView);
    // An independent client, knowing nothing but the registry URL, reads it too.
    expect(await new SchemaRegistry({ host: url }).decode(bytes)).toEqual(pageView);
  });
});

describe('event contracts on the real stack', () => {
  it('reports an incompatible local schema in check (exit 1) and refuses to register it', async () => {
    // A private registry whose raw.web.v1-value already holds a schema ours cannot read.
    const dir = testTempDir('schemas');
    const port = await freePort();
    const proc = await startRegistryProcess({
      stackDir: testStack().dataDir ?? dir,
      port,
      brokers: testStack().kafkaBrokers,
      topic: uniqueName('_schemas'),
      logFile: path.join(dir, 'registry.log'),
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      const older = {
        type: 'record',
        name: 'WebEvent',
        namespace: 'backbone.events.web',
        fields: [{ name: 'envelope', type: 'string' }],
      };
      const put = await fetch(`${url}/subjects/raw.web.v1-value/versions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(older) }),
      });
      expect(put.status).toBe(200);

      const checked = await checkSchemas(url);
      expect(checked.map((o) => [o.subject, o.state])).toEqual([
        ['raw.web.v1-value', 'incompatible'],
        ['raw.stt.transcript.v1-value', 'new'],
        ['raw.stt.speaker.v1-value', 'new'],
        ['raw.stt.session.v1-value', 'new'],
        ['raw.consent.v1-value', 'new'],
        ['events.web.v1-value', 'new'],
        ['events.stt.transcript.v1-value', 'new'],
        ['events.stt.speaker.v1-value', 'new'],
        ['events.stt.session.v1-value', 'new'],
        ['events.consent.v1-value', 'new'],
      ]);
      expect(checked[0]?.messages.join(' ')).toMatch(/^BACKWARD: .*WebEvent cannot be resolved/);

      const cli = run(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          'schemas/src/cli.ts',
          'check',
          '--registry',
          url,
        ],
        { cwd: REPO_ROOT },
      );
      await expect(cli).rejects.toMatchObject({
        code: 1,
        stdout: expect.stringMatching(/raw\.web\.v1-value\s+incompatible/) as unknown,
      });

      const registered = await registerSchemas(url);
      expect(registered.map((o) => o.state)).toEqual([
        'incompatible',
        ...new Array<string>(9).fill('registered'),
      ]);
      expect(
        (await (await fetch(`${url}/subjects/raw.web.v1-value/versions`)).json()) as number[],
      ).toEqual([1]);
    } finally {
      await stopProcess(proc.pid);
    }
  });
});
