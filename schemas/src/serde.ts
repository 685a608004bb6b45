import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AVRO_OPTIONS, streamSchemaText, streamType } from './avro.js';
import { STREAM_NAMES, valueSubject, type SchemaKind, type StreamName } from './catalog.js';

/** What serde needs of a schema registry; the Confluent client implements it. */
export interface SchemaRegistryClient {
  /** The id of `schema` under `subject`, which must already be registered. */
  idOf(subject: string, schema: string): Promise<number>;
  /** Decodes a Confluent-framed value with its writer schema (fetched by id, cached). */
  decode(buffer: Buffer): Promise<unknown>;
}

export function confluentRegistry(url: string): SchemaRegistryClient {
  const registry = new SchemaRegistry({ host: url }, { [SchemaType.AVRO]: AVRO_OPTIONS });
  return {
    idOf: (subject, schema) =>
      registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema }),
    decode: (buffer) => registry.decode(buffer) as Promise<unknown>,
  };
}

/** Confluent wire format: magic byte 0, the schema id as a big-endian int32, then Avro. */
export function frame(schemaId: number, avroBytes: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, avroBytes]);
}

export class SerdeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SerdeError';
  }
}

/**
 * Encodes the values of one kind of topic (raw.* or events.*) in the Confluent wire format with
 * the schema ids the registry assigned. Schemas are never registered here: `schemas
 * register` does that as a deliberate step; `open` fails clearly if one is missing.
 */
export class StreamSerde {
  private readonly ids = new Map<StreamName, number>();

  private constructor(
    private readonly registry: SchemaRegistryClient,
    readonly kind: SchemaKind,
  ) {}

  static async open(registry: SchemaRegistryClient, kind: SchemaKind): Promise<StreamSerde> {
    const serde = new StreamSerde(registry, kind);
    for (const stream of STREAM_NAMES) {
      const subject = valueSubject(kind, stream);
      try {
        serde.ids.set(stream, await registry.idOf(subject, streamSchemaText(stream, kind)));
      } catch (err) {
        throw new SerdeError(
          `the schema of ${subject} is not registered (run: npm run schemas -- register)`,
          { cause: err },
        );
      }
    }
    return serde;
  }

  schemaId(stream: StreamName): number {
    return this.ids.get(stream) as number;
  }

  /** Throws if the value does not fit; validate first to report field errors. */
  encode(stream: StreamName, value: unknown): Buffer {
    return frame(this.schemaId(stream), streamType(stream, this.kind).toBuffer(value));
  }

  decode(buffer: Buffer): Promise<unknown> {
    if (buffer.length < 5 || buffer[0] !== 0) {
      return Promise.reject(new SerdeError('not in the Confluent wire format (no magic byte 0)'));
    }
    return this.registry.decode(buffer);
  }
}
