import type { KafkaMessage } from 'kafkajs';
import type avro from 'avsc';
import {
  extentCheck,
  streamType,
  type ExtentCheck,
  type SchemaRegistryClient,
  type StreamName,
} from '@backbone/schemas';
import { fitsLanding } from '@backbone/warehouse';

/**
 * The sink's byte path: events.* record values become one `AvroConfluent` body for the
 * landing table (warehouse/src/landing.ts) without being decoded. Each record's Confluent
 * frame names its writer schema; the body frames it instead with a `SinkRow` schema that
 * wraps the writer's (registered once per writer schema, under `backbone-sink-row-<id>`), and
 * appends the record's partition and offset as Avro varints — the wrapper's two last fields.
 * Avro values carry no length, so each record is first checked to hold exactly one value of
 * its writer schema: one cut short would otherwise be read on into the next record's frame.
 */

/**
 * What the sink knows of one writer schema id of a stream: the SinkRow schema id to frame its
 * records with and the check that a record is one whole value, or nothing when the landing
 * table cannot take them.
 */
type Writer = { wrapper: undefined } | { wrapper: number; whole: ExtentCheck };

export const sinkRowSubject = (writerId: number) => `backbone-sink-row-${writerId}`;

/** The wrapper schema: the event as written, then where it was read from. */
export function sinkRowSchema(writer: unknown): string {
  return JSON.stringify({
    type: 'record',
    name: 'SinkRow',
    namespace: 'backbone.sink',
    fields: [
      { name: 'event', type: writer },
      { name: '_partition', type: 'int' },
      { name: '_offset', type: 'long' },
    ],
  });
}

/** Appends n as an Avro long (zig-zag, then 7 bits a byte, low first). */
function varint(out: Buffer, at: number, n: bigint): number {
  let v = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  while (v > 0x7fn) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

export class RowFramer {
  private readonly writers = new Map<string, Promise<Writer>>();
  /** Writers already learnt, by stream and id: looked up without a promise per record. */
  private readonly known = new Map<string, Writer>();

  constructor(private readonly registry: SchemaRegistryClient) {}

  /**
   * The body for a batch, or undefined when any record cannot take the byte path (no
   * Confluent frame, a writer schema unknown, unreadable as the stream, unlike today's
   * landing table, or bytes that are not exactly one value of the writer schema): the sink then decodes the batch, which also dead-letters what is bad.
   * Throws when the registry cannot be reached (a passing failure: the batch is retried).
   */
  async body(
    stream: StreamName,
    partition: number,
    messages: readonly KafkaMessage[],
  ): Promise<Buffer | undefined> {
    const wrappers = new Array<number>(messages.length);
    let size = 0;
    for (let i = 0; i < messages.length; i++) {
      const v = messages[i]!.value;
      if (!v || v.length < 5 || v[0] !== 0) return undefined;
      const id = v.readInt32BE(1);
      const w = this.known.get(`${stream}/${id}`) ?? (await this.writer(stream, id));
      if (w.wrapper === undefined || !w.whole(v, 5)) return undefined;
      wrappers[i] = w.wrapper;
      size += v.length + 15; // two varints: at most 5 + 10 bytes
    }
    const out = Buffer.allocUnsafe(size);
    const p = BigInt(partition);
    let at = 0;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const v = m.value!;
      out[at] = 0;
      out.writeInt32BE(wrappers[i]!, at + 1);
      at += 5 + v.copy(out, at + 5, 5);
      at = varint(out, at, p);
      at = varint(out, at, BigInt(m.offset));
    }
    return out.subarray(0, at);
  }

  private writer(stream: StreamName, id: number): Promise<Writer> {
    const key = `${stream}/${id}`;
    let w = this.writers.get(key);
    if (!w) {
      w = this.learn(stream, id).then((learnt) => {
        this.known.set(key, learnt);
        return learnt;
      });
      this.writers.set(key, w);
      // A registry that did not answer is asked again next time.
      w.catch(() => this.writers.delete(key));
    }
    return w;
  }

  private async learn(stream: StreamName, id: number): Promise<Writer> {
    let schema: unknown;
    let type: avro.Type;
    try {
      schema = await this.registry.writerSchema(id);
      type = await this.registry.writerType(id);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500)
        return { wrapper: undefined };
      throw err;
    }
    try {
      streamType(stream, 'events').createResolver(type);
    } catch {
      return { wrapper: undefined }; // not this stream's: decoding dead-letters it
    }
    if (!fitsLanding(stream, schema)) return { wrapper: undefined };
    return {
      wrapper: await this.registry.register(sinkRowSubject(id), sinkRowSchema(schema)),
      whole: extentCheck(type),
    };
  }
}
