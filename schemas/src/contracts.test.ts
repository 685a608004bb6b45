import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from './catalog.js';
import { buildStreamSchemas, SchemaBuildError, type SchemaFile } from './codegen.js';
import { isIpAddress, walkContracts } from './contracts.js';
import { ENRICHED_SCHEMAS, STREAM_SCHEMAS } from './generated/schemas.js';
import { contractLeaves } from './leaves.js';
import { pageView, schemaFiles, segment } from './samples.test-support.js';
import { validateEvent } from './validate.js';

const problemsOf = (files: SchemaFile[]): string[] => {
  try {
    buildStreamSchemas(files);
    return [];
  } catch (err) {
    if (err instanceof SchemaBuildError) return err.problems;
    throw err;
  }
};

/** web.avsc with the Click record's fields edited by `edit`. */
const withClick = (edit: (fields: Record<string, unknown>[]) => void): SchemaFile[] =>
  schemaFiles().map((f) => {
    if (f.file !== 'web.avsc') return f;
    const json = structuredClone(f.json) as { fields: { type: { fields: unknown[] }[] }[] };
    edit(json.fields[1]!.type[1]!.fields as Record<string, unknown>[]);
    return { ...f, json };
  });

describe('value contracts', () => {
  it('are on every text field of every stream, raw and enriched', () => {
    for (const stream of STREAM_NAMES) {
      for (const schema of [STREAM_SCHEMAS[stream], ENRICHED_SCHEMAS[stream]]) {
        const { leaves, problems } = walkContracts(schema);
        expect(problems).toEqual([]);
        const text = leaves.filter((l) => l.kind === 'string' || l.kind === 'map');
        expect(text.length).toBeGreaterThan(10);
        for (const leaf of text) expect(leaf.contract, leaf.path).toBeDefined();
      }
    }
    const web = contractLeaves('web', 'raw');
    expect(web).toContainEqual(
      expect.objectContaining({ path: 'envelope.session_id', contract: 'identifier' }),
    );
    expect(web).toContainEqual(
      expect.objectContaining({
        path: 'payload.backbone.events.web.CustomEvent.properties',
        kind: 'map',
        contract: 'free_text',
      }),
    );
  });

  it('fail the build when a text field has none or an unknown one, naming the field', () => {
    const files = withClick((fields) => {
      delete fields[0]!.contract;
      fields[1]!.contract = 'anything';
    });
    expect(problemsOf(files)).toEqual([
      'web.avsc: field payload.Click.element has no value contract (one of uuid, code, locale, timezone, currency, country, ip, identifier, free_text, url, host, label)',
      'web.avsc: field payload.Click.target has an unknown value contract "anything"',
    ]);
  });

  it('fail the build when a field that holds no text names one', () => {
    const files = withClick((fields) => {
      fields.push({ name: 'count', type: 'int', privacy: 'none', contract: 'code', default: 0 });
    });
    expect(problemsOf(files)).toEqual([
      'web.avsc: field payload.Click.count has a value contract but holds no text',
    ]);
  });
});

const withContext = (context: Record<string, unknown>) => ({
  ...pageView,
  envelope: { ...pageView.envelope, context: { ...pageView.envelope.context, ...context } },
});
const segmentFields = (segment.payload as unknown as Record<string, Record<string, unknown>>)[
  'backbone.events.stt.TranscriptSegment'
];
const withSegment = (fields: Record<string, unknown>) => ({
  ...segment,
  payload: { 'backbone.events.stt.TranscriptSegment': { ...segmentFields, ...fields } },
});

describe('validating code fields', () => {
  it.each([
    ['locale', 'jane.doe@example.org', 'envelope.context.locale', 'BCP 47'],
    ['locale', 'en-US-x-johnsmith', 'envelope.context.locale', 'BCP 47'],
    ['timezone', '+1 415 555 0132', 'envelope.context.timezone', 'IANA'],
    ['timezone', 'Mars/Olympus_Mons', 'envelope.context.timezone', 'IANA'],
  ])('refuses a %s of %j, naming the field', (name, value, field, words) => {
    const errors = validateEvent('web', withContext({ [name]: value }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ field });
    expect(errors[0]!.message).toContain(words);
    expect(errors[0]!.message).not.toContain(value);
  });

  it.each([
    ['language', 'Patient John Smith'],
    ['model_id', 'model for jane@example.org'],
    ['model_id', 'a'.repeat(129)],
  ])('refuses a transcript %s of %j', (name, value) => {
    const errors = validateEvent('stt.transcript', withSegment({ [name]: value }));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe(`payload.backbone.events.stt.TranscriptSegment.${name}`);
  });

  it.each(['usd', 'XYZ', 'E U'])('refuses a currency of %j', (currency) => {
    const conversion = {
      ...pageView,
      envelope: { ...pageView.envelope, event_type: 'conversion' },
      payload: { 'backbone.events.web.Conversion': { order_id: 'o-1', value: 1, currency } },
    };
    expect(validateEvent('web', conversion)).toEqual([
      {
        field: 'payload.backbone.events.web.Conversion.currency',
        message: 'Expected an ISO 4217 currency code in capitals, such as EUR',
      },
    ]);
  });

  it('accepts the codes senders really send', () => {
    for (const locale of ['en', 'en-US', 'en_GB', 'zh-Hant-TW', 'es-419', 'de'])
      expect(validateEvent('web', withContext({ locale })), locale).toEqual([]);
    for (const timezone of ['UTC', 'America/New_York', 'US/Eastern', 'Asia/Kolkata'])
      expect(validateEvent('web', withContext({ timezone })), timezone).toEqual([]);
    for (const model_id of ['whisper-large-v3', 'openai/whisper-1', 'nova-2:general'])
      expect(validateEvent('stt.transcript', withSegment({ model_id })), model_id).toEqual([]);
  });

  it('refuses an event id that is not a UUID, from producers that bypass the gateway', () => {
    const bad = { ...pageView, envelope: { ...pageView.envelope, event_id: 'jane@example.org' } };
    expect(validateEvent('web', bad)).toEqual([
      { field: 'envelope.event_id', message: 'Expected a UUID' },
    ]);
  });

  it('tells IPv4 and IPv6 addresses from other text', () => {
    for (const ip of ['81.2.69.142', '::1', '2001:db8::8a2e:370:7334', '::ffff:10.0.0.1'])
      expect(isIpAddress(ip), ip).toBe(true);
    for (const text of ['256.1.1.1', '1.2.3', '10:30:15', 'fe80::1::2', 'example.org'])
      expect(isIpAddress(text), text).toBe(false);
  });
});

describe('validating numbers', () => {
  it('refuses a double that is not finite (JSON 1e400), naming the field', () => {
    const conversion = {
      ...pageView,
      envelope: { ...pageView.envelope, event_type: 'conversion' },
      payload: {
        'backbone.events.web.Conversion': { order_id: 'o-1', value: Infinity, currency: 'EUR' },
      },
    };
    expect(validateEvent('web', conversion)).toEqual([
      {
        field: 'payload.backbone.events.web.Conversion.value',
        message: 'Expected a finite number',
      },
    ]);
  });

  it('refuses a float beyond 32 bits and NaN', () => {
    expect(validateEvent('stt.transcript', withSegment({ confidence: 1e39 }))).toEqual([
      {
        field: 'payload.backbone.events.stt.TranscriptSegment.confidence',
        message: 'Out of range for a 32-bit float',
      },
    ]);
    expect(validateEvent('stt.transcript', withSegment({ confidence: NaN }))).toEqual([
      {
        field: 'payload.backbone.events.stt.TranscriptSegment.confidence',
        message: 'Expected a finite number',
      },
    ]);
  });
});
