import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import type { StreamEvents } from '@backbone/schemas';
import { sampleEnvelope, waitFor } from '@backbone/test';
import { rawTable, RAW_TABLES } from '@backbone/warehouse';
import { eventSet } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';

/** Personal data of every kind the pipeline must stop; each one unique to this test. */
const PII = {
  email: 'canary.patient@example.org',
  phone: '+1 415 555 0132',
  card: '4111 1111 1111 1111',
  ssn: '078-05-1120',
  ip: '81.2.69.142',
  name: 'Zebulon Canaryfield',
  userAgent: 'CanaryBrowser/9.9 (Zebulon)',
  token: 'tok_CANARYSECRET',
};
const secrets = Object.values(PII);

/**
 * PII canary: events carrying known personal data in every field that can hold text, through
 * the whole pipeline. None of it may appear in events.*, in ClickHouse, or in the workers' logs.
 * Pseudonymous ids (session, speaker ids) are class `low` by design and carry no canary; a
 * name typed into free text cannot be found by pattern, which is why transcript text is
 * dropped unless a tenant asks for redaction — names here sit in identifying fields only.
 */
let p: Pipeline;
const logs: string[] = [];
let events: Awaited<ReturnType<Pipeline['collect']>>;
const envelope = (eventType: string) =>
  sampleEnvelope(eventType, {
    event_id: crypto.randomUUID(),
    occurred_at: Date.now() - 60_000,
    received_at: Date.now() - 60_000,
    anonymous_id: PII.email,
    user_id: PII.name,
    context: {
      ip: PII.ip,
      user_agent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 ${PII.userAgent}`,
      locale: 'en-US',
      timezone: 'UTC',
      page_url: `https://clinic.example/patients/${PII.email}?ssn=${PII.ssn}&t=${PII.token}#${PII.name}`,
      referrer: `https://mail.example/?to=${PII.email}&name=${PII.name}`,
    },
  });

beforeAll(async () => {
  p = await pipelineFixture({ partitions: 1 });
  const web: StreamEvents['web'][] = [
    {
      envelope: envelope('page_view'),
      payload: {
        'backbone.events.web.PageView': {
          url: `https://clinic.example/book?email=${PII.email}`,
          title: `Appointment for ${PII.email}, phone ${PII.phone}`,
        },
      },
    },
    {
      envelope: envelope('click'),
      payload: {
        'backbone.events.web.Click': {
          element: `Call ${PII.phone}`,
          target: `mailto:${PII.email}`,
        },
      },
    },
    {
      envelope: envelope('conversion'),
      payload: {
        'backbone.events.web.Conversion': { order_id: PII.card, value: 10, currency: 'USD' },
      },
    },
    {
      envelope: envelope('custom'),
      payload: {
        'backbone.events.web.CustomEvent': {
          name: `form ${PII.ssn}`,
          properties: { email: PII.email, card: PII.card, [PII.email]: 'key' },
        },
      },
    },
  ];
  const set = eventSet();
  const transcript = set.transcript.map((t) => {
    const seg = (t.payload as unknown as Record<string, Record<string, unknown>>)[
      'backbone.events.stt.TranscriptSegment'
    ];
    if (seg) {
      seg.text = `Reach me at ${PII.email} or ${PII.phone}, SSN ${PII.ssn}, card ${PII.card}`;
      seg.speaker_label = PII.name;
    }
    return { ...t, envelope: envelope(t.envelope.event_type) };
  });
  const sessionEvents = set.session.map((s) => {
    const err = (s.payload as unknown as Record<string, Record<string, unknown>>)[
      'backbone.events.stt.SessionError'
    ];
    if (err) err.message = `failed for ${PII.email} (${PII.phone})`;
    return { ...s, envelope: envelope(s.envelope.event_type) };
  });
  const speaker = set.speaker.map((s) => {
    const detected = (s.payload as unknown as Record<string, Record<string, unknown>>)[
      'backbone.events.stt.SpeakerDetected'
    ];
    if (detected) detected.speaker_label = PII.name;
    return { ...s, envelope: envelope(s.envelope.event_type) };
  });
  await p.produce('web', web, { 'x-request-id': 'canary-request' });
  await p.produce('stt.transcript', transcript);
  await p.produce('stt.session', sessionEvents);
  await p.produce('stt.speaker', speaker);
  events = await p.collect('events', 'web');
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ name: 'enrich', level: 'debug', destination });
  await p.startEnrich({ logger, textPolicy: 'redact' });
  await p.startSink();
  const expected = { web: 4, 'stt.transcript': 5, 'stt.session': 4, 'stt.speaker': 2 };
  await waitFor(
    async () => {
      for (const [stream, n] of Object.entries(expected)) {
        const [row] = await p.rows<{ n: number }>(
          `SELECT count() AS n FROM {db}.${rawTable(stream as keyof typeof expected)}`,
        );
        if (Number(row?.n) !== n) return false;
      }
      return true;
    },
    { timeoutMs: 45_000, intervalMs: 250, description: 'every canary event in ClickHouse' },
  );
});
afterAll(() => p?.close());

describe('PII canary through the pipeline', () => {
  it('leaves no canary in the events.* records (values and headers)', () => {
    expect(events).toHaveLength(4);
    for (const m of events) {
      const bytes = Buffer.concat([
        m.value ?? Buffer.alloc(0),
        Buffer.from(JSON.stringify(m.headers ?? {})),
      ]);
      for (const secret of secrets) expect(bytes.includes(secret), secret).toBe(false);
    }
  });

  it('leaves no canary in any ClickHouse table, raw or rollup', async () => {
    const tables = await p.rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
      { db: p.database },
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(Object.values(RAW_TABLES)));
    for (const { name } of tables) {
      const result = await p.clickhouse.query({
        query: `SELECT * FROM ${p.database}.${name}`,
        format: 'JSONEachRow',
      });
      const text = await result.text();
      for (const secret of secrets)
        expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
    }
    // Redaction kept the transcript's shape, without the data.
    const [seg] = await p.rows<{ text: string }>(
      `SELECT text FROM {db}.${TABLES.sttTranscriptEvents} WHERE text IS NOT NULL LIMIT 1`,
    );
    expect(seg?.text).toMatch(/SSN \[SSN\], card \[CARD\]/);
  });

  it('leaves no canary in the worker logs', () => {
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join('');
    for (const secret of secrets) expect(all.includes(secret), secret).toBe(false);
  });
});
