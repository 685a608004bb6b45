import avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ENRICHED_SCHEMAS, frame, streamType, type SchemaRegistryClient } from '@backbone/schemas';
import { RowFramer, sinkRowSchema, sinkRowSubject } from './frames.js';

const TODAY = 31;
const OTHER_STREAM = 32;
const registered: [string, string][] = [];

function registry(overrides: Partial<SchemaRegistryClient> = {}): SchemaRegistryClient {
  const schemas: Record<number, unknown> = {
    [TODAY]: ENRICHED_SCHEMAS.web,
    [OTHER_STREAM]: ENRICHED_SCHEMAS['stt.speaker'],
  };
  const notFound = (id: number) =>
    Promise.reject(Object.assign(new Error(`schema ${id} not found`), { status: 404 }));
  return {
    idOf: () => Promise.resolve(TODAY),
    decode: () => Promise.reject(new Error('not used')),
    writerType: (id) =>
      schemas[id]
        ? Promise.resolve(avro.Type.forSchema(schemas[id] as avro.Schema, { wrapUnions: 'auto' }))
        : notFound(id),
    writerSchema: (id) => (schemas[id] ? Promise.resolve(schemas[id]) : notFound(id)),
    register: (subject, schema) => {
      registered.push([subject, schema]);
      return Promise.resolve(900 + registered.length);
    },
    ...overrides,
  };
}

const value = streamType('web', 'events').random();
const message = (v: Buffer | null, offset: string): KafkaMessage => ({
  key: null,
  value: v,
  offset,
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('the SinkRow frame', () => {
  it('is the Avro body behind the wrapper id, then partition and offset as Avro longs', async () => {
    registered.length = 0;
    const framer = new RowFramer(registry());
    const body = streamType('web', 'events').toBuffer(value);
    const out = await framer.body('web', 3, [
      message(frame(TODAY, body), '5'),
      message(frame(TODAY, body), '300'),
    ]);
    // The wrapper, read as ClickHouse reads it, gives back the event and where it was.
    const wrapper = avro.Type.forSchema(JSON.parse(registered[0]![1]) as avro.Schema, {
      wrapUnions: 'auto',
    });
    expect(registered.map(([s]) => s)).toEqual([sinkRowSubject(TODAY)]);
    expect(out!.readInt32BE(1)).toBe(901);
    const first = wrapper.decode(out!, 5);
    expect(first.value).toMatchObject({ _partition: 3, _offset: 5 });
    expect(JSON.stringify((first.value as { event: unknown }).event)).toBe(
      JSON.stringify(streamType('web', 'events').fromBuffer(body)),
    );
    const second = wrapper.decode(out!, first.offset + 5);
    expect(second.value).toMatchObject({ _partition: 3, _offset: 300 });
    expect(second.offset).toBe(out!.length);
    expect(sinkRowSchema(ENRICHED_SCHEMAS.web)).toContain('"name":"SinkRow"');
  });

  it('leaves a batch to decoding for a record without a frame, of another stream or unknown', async () => {
    const framer = new RowFramer(registry());
    const good = frame(TODAY, streamType('web', 'events').toBuffer(value));
    expect(await framer.body('web', 0, [message(Buffer.from('{"x":1}'), '1')])).toBeUndefined();
    expect(await framer.body('web', 0, [message(null, '1')])).toBeUndefined();
    expect(await framer.body('web', 0, [message(good, '0'), message(frame(77, good), '1')])).toBe(
      undefined,
    );
    const speaker = frame(
      OTHER_STREAM,
      streamType('stt.speaker', 'events').toBuffer(streamType('stt.speaker', 'events').random()),
    );
    expect(await framer.body('web', 0, [message(speaker, '2')])).toBeUndefined();
  });

  it('leaves a batch to decoding when a record is cut short or has bytes after its value', async () => {
    const framer = new RowFramer(registry());
    const good = frame(TODAY, streamType('web', 'events').toBuffer(value));
    const after = message(good, '1');
    expect(await framer.body('web', 0, [message(good, '0'), after])).toBeInstanceOf(Buffer);
    // Cut anywhere, the record would be read on into the next one's frame: no body.
    for (const cut of [6, 12, good.length - 1])
      expect(await framer.body('web', 0, [message(good.subarray(0, cut), '0'), after])).toBe(
        undefined,
      );
    const longer = Buffer.concat([good, Buffer.from([2])]);
    expect(await framer.body('web', 0, [message(longer, '0'), after])).toBeUndefined();
  });

  it('throws while the registry is away, and asks again next time', async () => {
    let calls = 0;
    const framer = new RowFramer(
      registry({
        writerSchema: () =>
          ++calls === 1
            ? Promise.reject(new Error('connect ECONNREFUSED'))
            : Promise.resolve(ENRICHED_SCHEMAS.web),
      }),
    );
    const good = frame(TODAY, streamType('web', 'events').toBuffer(value));
    await expect(framer.body('web', 0, [message(good, '0')])).rejects.toThrow(/ECONNREFUSED/);
    expect(await framer.body('web', 0, [message(good, '0')])).toBeInstanceOf(Buffer);
  });
});
