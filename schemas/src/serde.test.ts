import { describe, expect, it } from 'vitest';
import { streamType } from './avro.js';
import avro from 'avsc';
import { AVRO_OPTIONS } from './avro.js';
import { STREAM_SCHEMAS } from './generated/schemas.js';
import { SerdeError } from './errors.js';
import { frame, StreamSerde, type SchemaRegistryClient } from './serde.js';
import { pageView } from './samples.test-support.js';

/** An in-memory registry: ids by subject, decoding with the local types. */
function fakeRegistry(ids: Record<string, number>): SchemaRegistryClient {
  return {
    idOf: (subject) =>
      subject in ids ? Promise.resolve(ids[subject] as number) : Promise.reject(new Error('40403')),
    decode: (buffer) => Promise.resolve(streamType('web').fromBuffer(buffer.subarray(5))),
    writerType: (id) =>
      id === 404
        ? Promise.reject(Object.assign(new Error('Schema not found'), { status: 404 }))
        : id === 503
          ? Promise.reject(new Error('connect ECONNREFUSED'))
          : Promise.resolve(streamType('web')),
    writerSchema: () => Promise.reject(new Error('not used')),
    register: () => Promise.reject(new Error('not used')),
  };
}

const allRaw = {
  'raw.web.v1-value': 7,
  'raw.stt.transcript.v1-value': 8,
  'raw.stt.speaker.v1-value': 9,
  'raw.stt.session.v1-value': 10,
  'raw.consent.v1-value': 11,
};

describe('StreamSerde', () => {
  it('frames values in the Confluent wire format with the registered id', async () => {
    const serde = await StreamSerde.open(fakeRegistry(allRaw), 'raw');
    const bytes = serde.encode('web', pageView);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(7);
    expect(bytes.subarray(5)).toEqual(streamType('web').toBuffer(pageView));
    expect(await serde.decode(bytes)).toEqual(pageView);
  });

  it('refuses to start when a schema is not registered, saying what to run', async () => {
    const { 'raw.stt.session.v1-value': _missing, ...some } = allRaw;
    await expect(StreamSerde.open(fakeRegistry(some), 'raw')).rejects.toThrow(
      /raw\.stt\.session\.v1-value is not registered \(run: npm run schemas -- register\)/,
    );
  });

  it('refuses to decode bytes without the magic byte', async () => {
    const serde = await StreamSerde.open(fakeRegistry(allRaw), 'raw');
    await expect(serde.decode(Buffer.from('{"json":true}'))).rejects.toThrow(/wire format/);
  });

  it('writes the header as magic byte, then a big-endian int32', () => {
    expect([...frame(258, Buffer.from([42]))]).toEqual([0, 0, 0, 1, 2, 42]);
  });

  describe('decodeAs', () => {
    it('reads bytes of an older writer schema into the current one, defaults filled in', async () => {
      // The schema before occurred_at_clamped was added (with default false).
      const json = structuredClone(STREAM_SCHEMAS.web) as unknown as {
        fields: { name: string; type: { fields: { name: string }[] } }[];
      };
      const envelope = json.fields[0]!.type;
      envelope.fields = envelope.fields.filter((f) => f.name !== 'occurred_at_clamped');
      const older = avro.Type.forSchema(json as unknown as avro.Schema, AVRO_OPTIONS);
      const { occurred_at_clamped: _dropped, ...oldEnvelope } = pageView.envelope;
      const bytes = frame(6, older.toBuffer({ ...pageView, envelope: oldEnvelope }));
      const registry = { ...fakeRegistry(allRaw), writerType: () => Promise.resolve(older) };
      const serde = await StreamSerde.open(registry, 'raw');
      expect(await serde.decodeAs('web', bytes)).toEqual({
        ...pageView,
        envelope: { ...pageView.envelope, occurred_at_clamped: false },
      });
    });

    it.each([
      [Buffer.from('{"json":true}'), /wire format/, false],
      [frame(404, Buffer.from([0])), /schema id 404 is unknown/, false],
      [frame(503, Buffer.from([0])), /registry is unreachable/, true],
      [frame(7, Buffer.from([0xff, 0xff])), /do not decode with schema id 7/, false],
    ])(
      'says whether a failure is the bytes or the registry (%#)',
      async (bytes, message, retriable) => {
        const serde = await StreamSerde.open(fakeRegistry(allRaw), 'raw');
        const err = await serde.decodeAs('web', bytes).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SerdeError);
        expect((err as SerdeError).message).toMatch(message);
        expect((err as SerdeError).retriable).toBe(retriable);
      },
    );
  });
});
