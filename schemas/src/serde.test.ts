import { describe, expect, it } from 'vitest';
import { streamType } from './avro.js';
import { frame, StreamSerde, type SchemaRegistryClient } from './serde.js';
import { pageView } from './samples.test-support.js';

/** An in-memory registry: ids by subject, decoding with the local types. */
function fakeRegistry(ids: Record<string, number>): SchemaRegistryClient {
  return {
    idOf: (subject) =>
      subject in ids ? Promise.resolve(ids[subject] as number) : Promise.reject(new Error('40403')),
    decode: (buffer) => Promise.resolve(streamType('web').fromBuffer(buffer.subarray(5))),
  };
}

const allRaw = {
  'raw.web.v1-value': 7,
  'raw.stt.transcript.v1-value': 8,
  'raw.stt.speaker.v1-value': 9,
  'raw.stt.session.v1-value': 10,
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
});
