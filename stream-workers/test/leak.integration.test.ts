import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '@backbone/runtime';
import { STREAM_NAMES, type StreamEvents, type StreamName } from '@backbone/schemas';
import {
  ApiKeyStore,
  buildGateway,
  GatewayConfig,
  hashApiKey,
  mapEvent,
} from '@backbone/ingest-gateway';
import { waitFor } from '@backbone/test';
import { rawTable } from '@backbone/warehouse';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';
import { EVENT_TYPES, sampleRequestEvent, textTargets } from './schema-samples.js';

/**
 * The privacy boundary, tried the way a careless or hostile client would: every item below
 * goes into every text field of every event type (walked from the schemas), through the
 * gateway, and into the fields only a Kafka producer can set, straight onto raw.*. Then the
 * bytes of every events.* record (key, value, headers), every cell of every ClickHouse
 * table and every log line are searched, also lower-cased, URL-decoded, with + as a space
 * and as digits only. Nothing may be found.
 */
const PII: { value: string; needles: string[] }[] = [
  { value: 'canary.patient@example.org', needles: ['canary.patient@example.org'] },
  { value: 'zeb dot canary at example dot org', needles: ['zeb dot canary at example dot org'] },
  { value: '+1 415 555 0132', needles: ['14155550132'] },
  { value: '(415) 555-0199', needles: ['4155550199'] },
  { value: '020 7946 0958', needles: ['02079460958'] },
  { value: '+49 30 12345678', needles: ['493012345678'] },
  { value: '0049 30 7654321', needles: ['0049307654321'] },
  { value: '01 23 45 67 89', needles: ['0123456789'] },
  {
    value: 'four one five five five five zero one seven seven',
    needles: ['four one five five five five zero one seven seven'],
  },
  { value: '4539 1488 0343 6467', needles: ['4539148803436467'] },
  { value: '078-05-1120', needles: ['078051120'] },
  { value: 'DE89 3704 0044 0532 0130 00', needles: ['de89370400440532013000', 'de89 3704'] },
  { value: '81.2.69.142', needles: ['81.2.69.142'] },
  { value: '2001:db8::8a2e:370:7334', needles: ['2001:db8::8a2e:370:7334'] },
  { value: 'MRN 004518273', needles: ['004518273'] },
  { value: 'DOB 1961-04-23', needles: ['1961-04-23', '19610423'] },
];
const ALL_NEEDLES = PII.flatMap((p) => p.needles.map((n) => n.toLowerCase()));
const DIGIT_NEEDLES = ALL_NEEDLES.filter((n) => /^\d{7,}$/.test(n));
const TEXT_NEEDLES = ALL_NEEDLES.filter((n) => !/^\d+$/.test(n));

const forms = (s: string): string[] => {
  const lower = s.toLowerCase();
  let decoded = lower;
  try {
    decoded = decodeURIComponent(lower);
  } catch {
    // not URL-encoded
  }
  return [lower, decoded, decoded.replace(/\+/g, ' ')];
};
/** The needles found in one value: text forms anywhere, digit runs in the value's digits only. */
function found(value: string): string[] {
  const hits = new Set<string>();
  for (const form of forms(value)) for (const n of TEXT_NEEDLES) if (form.includes(n)) hits.add(n);
  const digits = value.replace(/\D/g, '');
  for (const n of DIGIT_NEEDLES) if (digits.includes(n)) hits.add(n);
  return [...hits];
}
/** Every string in a value, map keys included, with where it is. */
const strings = (node: unknown, path = '', out: [string, string][] = []): [string, string][] => {
  if (typeof node === 'string') out.push([path, node]);
  else if (Array.isArray(node)) node.forEach((n, i) => strings(n, `${path}[${i}]`, out));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      out.push([`${path}{key}`, k]);
      strings(v, path ? `${path}.${k}` : k, out);
    }
  return out;
};
/** Text needles in raw bytes (digit runs are looked for value by value, where fields are apart). */
const foundInBytes = (bytes: string) =>
  forms(bytes).flatMap((form) => TEXT_NEEDLES.filter((n) => form.includes(n)));

const KEY = 'bbk_leak-test-key';
const TENANT = 'acme';

let p: Pipeline;
let gateway: FastifyInstance;
const logs: string[] = [];
const refusedWrongly: string[] = [];
const accepted: Record<StreamName, number> = {
  web: 0,
  'stt.transcript': 0,
  'stt.speaker': 0,
  'stt.session': 0,
  consent: 0,
};
let direct = 0;
let refused = 0;

/** Records enrich dropped, by outcome (a user agent made of personal data reads as a bot). */
let dropped: () => Promise<Record<string, number>>;
let events: Record<StreamName, Awaited<ReturnType<Pipeline['collect']>>>;
let dlq: Record<StreamName, Awaited<ReturnType<Pipeline['collect']>>>;

/** The gateway's own code end to end, and followers of every events and dead-letter topic. */
async function startGatewayAndCollectors(logger: Logger) {
  const config = GatewayConfig.parse({
    KAFKA_BROKERS: 'unused:9092',
    SCHEMA_REGISTRY_URL: 'http://unused',
    API_KEYS_FILE: '/dev/null',
    TRUSTED_PROXIES: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const keys = new ApiKeyStore([
    {
      id: 'k1',
      hash: hashApiKey(KEY),
      tenant_id: TENANT,
      source: 'web-app',
      created_at: '2025-01-01T00:00:00Z',
    },
  ]);
  // The gateway's own code end to end; its accepted events go to this pipeline's raw topics.
  gateway = await buildGateway(config, {
    sink: {
      produce: (stream, event, headers) => p.produce(stream, [event], headers),
      pending: 0,
    },
    keys,
    logger: logger.child({ module: 'gateway' }),
    checks: [],
  });
  events = Object.fromEntries(
    await Promise.all(STREAM_NAMES.map(async (s) => [s, await p.collect('events', s)] as const)),
  ) as typeof events;
  dlq = Object.fromEntries(
    await Promise.all(STREAM_NAMES.map(async (s) => [s, await p.collect('dlq', s)] as const)),
  ) as typeof dlq;
}

/**
 * Through the gateway: one event per (event type, text field, item); the batch id, the
 * request id and the client IP carry items too.
 */
async function sendThroughGateway() {
  for (const { stream, eventType } of EVENT_TYPES) {
    const batch: Record<string, unknown>[] = [];
    const fields: (string | null)[] = [];
    for (const target of textTargets(stream, eventType)) {
      if (!target.requestField) continue;
      for (const { value } of PII) {
        const event = sampleRequestEvent(stream, eventType);
        target.put(event, value);
        batch.push(event);
        fields.push(target.requestField);
      }
    }
    for (let i = 0; i < batch.length; i += 100) {
      const pii = PII[(i / 100) % PII.length]!.value;
      const res = await gateway.inject({
        method: 'POST',
        url: '/v1/events',
        headers: {
          'x-api-key': KEY,
          'x-forwarded-for': '81.2.69.142',
          'x-request-id': '078-05-1120',
        },
        payload: { batch_id: pii, events: batch.slice(i, i + 100) },
      });
      const body = res.json<{
        events_accepted?: number;
        errors?: { field: string; message: string }[];
      }>();
      expect([202, 400], res.body).toContain(res.statusCode);
      accepted[stream] += body.events_accepted ?? 0;
      for (const e of body.errors ?? []) {
        refused++;
        // A refusal names the very field the item was put in, and never echoes the item.
        const index = Number(/^events\[(\d+)\]/.exec(e.field)?.[1]);
        const expected = `events[${index}].${fields[i + index]}`;
        if (!e.field.startsWith(expected) || PII.some((x) => e.message.includes(x.value)))
          refusedWrongly.push(`${eventType} ${e.field}: ${e.message} (expected ${expected})`);
      }
    }
  }
}

/**
 * Straight onto raw.*, as a Kafka producer that never met the gateway: the fields the
 * server sets (tenant, source, IP, event id and type) carry the items.
 */
async function produceDirectly() {
  const facts = {
    tenantId: TENANT,
    source: 'web-app',
    receivedAt: Date.now(),
    ip: '203.0.113.7',
    gpc: false,
    dnt: false,
  };
  const limits = { maxFutureSkewMs: 60_000, maxStringLength: 65_536 };
  for (const { stream, eventType } of EVENT_TYPES) {
    const mapped = mapEvent(sampleRequestEvent(stream, eventType), 0, facts, limits);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
    const values: StreamEvents[StreamName][] = [];
    for (const { value } of PII) {
      for (const edit of [
        (e: StreamEvents[StreamName]) => (e.envelope.tenant_id = value),
        (e: StreamEvents[StreamName]) => (e.envelope.source = value),
        (e: StreamEvents[StreamName]) => (e.envelope.context.ip = value),
        (e: StreamEvents[StreamName]) => (e.envelope.event_id = value),
      ]) {
        const copy = structuredClone(mapped.value);
        copy.envelope.event_id = crypto.randomUUID();
        edit(copy);
        values.push(copy);
      }
    }
    await p.produce(stream, values, {
      'x-batch-id': PII[0]!.value,
    });
    direct += values.length;
  }
}

/** Enrich and sink over everything sent, until each record is written, dead-lettered or dropped. */
async function enrichAndSink(logger: Logger) {
  const { metrics } = await p.startEnrich({
    logger: logger.child({ module: 'enrich' }),
    textPolicy: 'redact',
  });
  dropped = async () => {
    const out: Record<string, number> = {};
    for (const v of (await metrics.records.get()).values) {
      const outcome = String(v.labels.outcome);
      if (outcome.startsWith('dropped:')) out[outcome] = (out[outcome] ?? 0) + v.value;
    }
    return out;
  };
  const droppedCount = async () => Object.values(await dropped()).reduce((a, b) => a + b, 0);
  await p.startSink({ logger: logger.child({ module: 'sink' }) });
  const total = Object.values(accepted).reduce((a, b) => a + b, 0) + direct;
  await waitFor(
    async () =>
      STREAM_NAMES.reduce((n, s) => n + events[s].length + dlq[s].length, 0) +
        (await droppedCount()) >=
      total,
    {
      timeoutMs: 90_000,
      intervalMs: 250,
      description: 'every record enriched, dead-lettered or dropped',
    },
  );
  await waitFor(
    async () => {
      for (const s of STREAM_NAMES) {
        const [row] = await p.rows<{ n: string }>(`SELECT count() AS n FROM {db}.${rawTable(s)}`);
        if (Number(row?.n) !== events[s].length) return false;
      }
      return true;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'every enriched record in ClickHouse' },
  );
}

beforeAll(async () => {
  p = await pipelineFixture({ partitions: 1 });
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ name: 'leak', level: 'debug', destination });
  await startGatewayAndCollectors(logger);
  await sendThroughGateway();
  await produceDirectly();
  await enrichAndSink(logger);
}, 240_000);
afterAll(async () => {
  await gateway?.close();
  await p?.close();
});

describe('the privacy boundary, for every text field of every event type', () => {
  it('covers every event type, and refuses a code field only by naming it', async () => {
    for (const s of STREAM_NAMES) expect(accepted[s], s).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(0);
    expect(refusedWrongly).toEqual([]);
    // Every record the gateway and the producers wrote came out once: enriched,
    // dead-lettered, or dropped as a bot (never as a duplicate).
    const total = Object.values(accepted).reduce((a, b) => a + b, 0) + direct;
    const drops = await dropped();
    expect(Object.keys(drops).filter((o) => o !== 'dropped:bot')).toEqual([]);
    const out = STREAM_NAMES.reduce((n, s) => n + events[s].length + dlq[s].length, 0);
    expect(out + (drops['dropped:bot'] ?? 0)).toBe(total);
  });

  it('leaves no item in any events.* record: key, value or headers', async () => {
    const hits: string[] = [];
    for (const s of STREAM_NAMES)
      for (const m of events[s]) {
        const decoded = await p.events.decodeAs(s, m.value);
        for (const [path, v] of strings(decoded))
          for (const n of found(v)) hits.push(`${s} ${path}: ${n}`);
        const headers = Object.entries(m.headers ?? {}).map(([k, v]) => [`header ${k}`, String(v)]);
        for (const [where, text] of [['key', m.key?.toString('utf8') ?? ''], ...headers])
          for (const n of found(text!)) hits.push(`${s} ${where}: ${n}`);
        for (const n of foundInBytes(m.value?.toString('utf8') ?? ''))
          hits.push(`${s} value bytes: ${n}`);
      }
    expect(hits).toEqual([]);
  });

  it('leaves no item in any cell of any ClickHouse table, raw or rollup', async () => {
    const tables = await p.rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
      { db: p.database },
    );
    expect(tables.length).toBeGreaterThan(8);
    const hits: string[] = [];
    for (const { name } of tables) {
      const rows = await p.rows<Record<string, unknown>>(`SELECT * FROM {db}.${name}`);
      for (const row of rows)
        for (const [column, cell] of strings(row))
          for (const n of found(cell)) hits.push(`${name}.${column}: ${n}`);
    }
    expect(hits).toEqual([]);
  });

  it('leaves no item in any log line', () => {
    expect(logs.length).toBeGreaterThan(0);
    const hits: string[] = [];
    for (const line of logs)
      for (const [field, value] of strings(JSON.parse(line)))
        for (const n of found(value)) hits.push(`${field}: ${n}`);
    expect(hits).toEqual([]);
  });
});
