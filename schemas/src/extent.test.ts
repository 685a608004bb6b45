import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AVRO_OPTIONS, streamType } from './avro.js';
import { STREAM_NAMES } from './catalog.js';
import { extentCheck } from './extent.js';

const type = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, AVRO_OPTIONS);

describe('extentCheck', () => {
  for (const kind of ['raw', 'events'] as const)
    it(`takes every value of each ${kind} stream whole, and no prefix and no longer bytes`, () => {
      for (const stream of STREAM_NAMES) {
        const t = streamType(stream, kind);
        const fits = extentCheck(t);
        for (let n = 0; n < 40; n++) {
          const bytes = t.toBuffer(t.random());
          const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), bytes]);
          expect(fits(framed, 5), `${stream} value ${n}`).toBe(true);
          for (let cut = 5; cut < framed.length; cut++)
            expect(fits(framed.subarray(0, cut), 5), `${stream} cut at ${cut}`).toBe(false);
          expect(fits(Buffer.concat([framed, Buffer.from([0])]), 5)).toBe(false);
          // The next record's frame run on after it: what ClickHouse would have read into.
          expect(fits(Buffer.concat([framed, framed]), 5)).toBe(false);
        }
      }
    });

  it('agrees with avsc: what it takes, avsc decodes to the last byte', () => {
    const t = streamType('stt.transcript', 'events');
    const fits = extentCheck(t);
    let taken = 0;
    for (let n = 0; n < 3000; n++) {
      const bytes = t.toBuffer(t.random());
      // One byte changed at random: most such values are still whole, some are not.
      bytes[n % bytes.length] = (bytes[n % bytes.length]! + 1 + (n % 7)) & 0xff;
      if (!fits(bytes, 0)) continue;
      taken++;
      expect(t.decode(bytes, 0).offset).toBe(bytes.length);
    }
    expect(taken).toBeGreaterThan(100);
  });

  it('refuses a union branch or an enum symbol the schema does not have', () => {
    const u = type(['null', 'string']);
    expect(extentCheck(u)(Buffer.from([2, 2, 0x61]), 0)).toBe(true);
    expect(extentCheck(u)(Buffer.from([4]), 0)).toBe(false);
    expect(extentCheck(u)(Buffer.from([1]), 0)).toBe(false); // branch -1
    const e = type({ type: 'enum', name: 'E', symbols: ['A', 'B'] });
    expect(extentCheck(e)(Buffer.from([2]), 0)).toBe(true);
    expect(extentCheck(e)(Buffer.from([4]), 0)).toBe(false);
    expect(extentCheck(type('boolean'))(Buffer.from([2]), 0)).toBe(false);
  });

  it('reads blocks with byte sizes, maps and fixed, as avsc writes and reads them', () => {
    const ints = type({ type: 'array', items: 'int' });
    // One block of two ints written with a negative count and its size in bytes, then the end.
    const sized = Buffer.from([3, 4, 2, 4, 0]);
    expect(ints.decode(sized, 0)).toEqual({ value: [1, 2], offset: 5 });
    expect(extentCheck(ints)(sized, 0)).toBe(true);
    const m = type({ type: 'map', values: { type: 'fixed', name: 'F', size: 2 } });
    const bytes = m.toBuffer({ a: Buffer.from([1, 2]), bc: Buffer.from([3, 4]) });
    expect(extentCheck(m)(bytes, 0)).toBe(true);
    expect(extentCheck(m)(bytes.subarray(0, bytes.length - 2), 0)).toBe(false);
  });

  it('refuses a block count the bytes cannot hold, even of items that take no bytes', () => {
    const nulls = type({ type: 'array', items: 'null' });
    expect(extentCheck(nulls)(nulls.toBuffer([null, null]), 0)).toBe(true);
    // 2^62 nulls: refused at once instead of counted.
    const huge = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0]);
    expect(extentCheck(nulls)(huge, 0)).toBe(false);
    // 100,000 nulls in one block (a varint count, then the end): refused quickly too.
    expect(extentCheck(nulls)(nulls.toBuffer(new Array(100_000).fill(null)), 0)).toBe(false);
    const longs = type({ type: 'array', items: 'long' });
    expect(extentCheck(longs)(Buffer.from([0x7e, 2, 0]), 0)).toBe(false); // 63 longs in 2 bytes
  });

  it('follows a recursive record and a logical type to their ends', () => {
    const list = type({
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'next', type: ['null', 'Node'] },
      ],
    });
    const value = { at: 5, next: { at: 6, next: { at: 7, next: null } } };
    const bytes = list.toBuffer(value);
    expect(extentCheck(list)(bytes, 0)).toBe(true);
    expect(extentCheck(list)(bytes.subarray(0, bytes.length - 1), 0)).toBe(false);
  });
});
