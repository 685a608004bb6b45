import { describe, expect, it } from 'vitest';
import { ENRICHED_SCHEMAS } from './generated/schemas.js';
import { STREAM_NAMES } from './catalog.js';
import { walkPrivacy } from './privacy.js';
import { StreamSerde, type SchemaRegistryClient } from './serde.js';
import { streamType } from './avro.js';
import { enrichedPageView, pageView } from './samples.test-support.js';
import { validateEvent } from './validate.js';

describe('enriched (events.*) schemas', () => {
  it('carry a privacy class on every field, the enrichment record included', () => {
    for (const stream of STREAM_NAMES)
      expect(walkPrivacy(ENRICHED_SCHEMAS[stream]).problems).toEqual([]);
    const fields = walkPrivacy(ENRICHED_SCHEMAS.web).fields;
    expect(fields).toContainEqual({ path: 'enrichment.country', privacy: 'low' });
    expect(fields).toContainEqual({ path: 'enrichment.device_type', privacy: 'none' });
  });

  it('accept an enriched event and refuse a raw one, which lacks the enrichment', () => {
    expect(validateEvent('web', enrichedPageView, 'events')).toEqual([]);
    expect(validateEvent('web', pageView, 'events')).toContainEqual({
      field: 'enrichment',
      message: 'Required field missing',
    });
  });

  it('are what StreamSerde encodes for events.* topics', async () => {
    const registry: SchemaRegistryClient = {
      idOf: (subject) => Promise.resolve(subject.startsWith('events.') ? 21 : 1),
      decode: (buffer) =>
        Promise.resolve(streamType('web', 'events').fromBuffer(buffer.subarray(5))),
      writerType: () => Promise.resolve(streamType('web', 'events')),
      writerSchema: () => Promise.reject(new Error('not used')),
      register: () => Promise.reject(new Error('not used')),
    };
    const serde = await StreamSerde.open(registry, 'events');
    const bytes = serde.encode('web', enrichedPageView);
    expect(bytes.readInt32BE(1)).toBe(21);
    expect(await serde.decode(bytes)).toEqual(enrichedPageView);
  });
});
