import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { AVRO_OPTIONS, streamSchemaText, streamType } from './avro.js';
import { STREAM_NAMES, valueSubject, type SchemaKind, type StreamName } from './catalog.js';
import { SerdeError } from './errors.js';

/** What serde needs of a schema registry; the Confluent client implements it. */
export interface SchemaRegistryClient {
  /** The id of `schema` under `subject`, which must already be registered. */
  idOf(subject: string, schema: string): Promise<number>;
  /** Decodes a Confluent-framed value with its writer schema (fetched by id, cached). */
  decode(buffer: Buffer): Promise<unknown>;
  /** The writer schema registered under `id`, as an Avro type (cached by the client). */
  writerType(id: number): Promise<avro.Type>;
  /** The schema registered under `id`, as its JSON (attributes and logical types kept). */
  writerSchema(id: number): Promise<unknown>;
  /** Registers `schema` under `subject` (or finds it there); its id. */
  register(subject: string, schema: string): Promise<number>;
}

export function confluentRegistry(url: string): SchemaRegistryClient {
  const registry = new SchemaRegistry({ host: url }, { [SchemaType.AVRO]: AVRO_OPTIONS });
  // A schema id never changes what it names: its text is kept once fetched.
  const texts = new Map<number, string>();
  return {
    idOf: (subject, schema) =>
      registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema }),
    decode: (buffer) => registry.decode(buffer) as Promise<unknown>,
    writerType: async (id) => (await registry.getSchema(id)) as unknown as avro.Type,
    writerSchema: async (id) => {
      let text = texts.get(id);
      if (!text) {
        const res = await fetch(`${url.replace(/\/+$/, '')}/schemas/ids/${id}`, {
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok)
          throw Object.assign(
            new Error(`the registry answered ${res.status} for schema id ${id}`),
            {
              status: res.status,
            },
          );
        text = ((await res.json()) as { schema: string }).schema;
        texts.set(id, text);
      }
      return JSON.parse(text) as unknown;
    },
    register: async (subject, schema) =>
      (await registry.register({ type: SchemaType.AVRO, schema }, { subject })).id,
  };
}

/** Confluent wire format: magic byte 0, the schema id as a big-endian int32, then Avro. */
export function frame(schemaId: number, avroBytes: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, avroBytes]);
}

/** A registry answer about the id itself (4xx) rather than about reaching the registry. */
const isDefinitive = (err: unknown) => {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * Encodes the values of one kind of topic (raw.* or events.*) in the Confluent wire format with
 * the schema ids the registry assigned. Schemas are never registered here: `schemas
 * register` does that as a deliberate step; `open` fails clearly if one is missing.
 */
export class StreamSerde {
  private readonly ids = new Map<StreamName, number>();
  private readonly resolvers = new Map<string, avro.Resolver>();

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

  /**
   * Decodes into this release's schema of `stream`, whatever (compatible) schema the writer
   * used: Avro schema resolution fills fields added since with their defaults. Errors say
   * whether the bytes are bad (dead-letter them) or the registry was away (retry).
   */
  async decodeAs(stream: StreamName, buffer: Buffer | null): Promise<unknown> {
    if (!buffer || buffer.length < 5 || buffer[0] !== 0)
      throw new SerdeError('not in the Confluent wire format (no magic byte 0)');
    const id = buffer.readInt32BE(1);
    const reader = streamType(stream, this.kind);
    // Written with this release's schema: no resolution needed (the common, fast case).
    if (id === this.ids.get(stream)) {
      try {
        return reader.fromBuffer(buffer.subarray(5));
      } catch (err) {
        throw new SerdeError(
          `the bytes do not decode with schema id ${id}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
    const key = `${stream}/${id}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      let writer: avro.Type;
      try {
        writer = await this.registry.writerType(id);
      } catch (err) {
        throw isDefinitive(err)
          ? new SerdeError(`schema id ${id} is unknown to the registry`, { cause: err })
          : new SerdeError(`the schema registry is unreachable: ${(err as Error).message}`, {
              cause: err,
              retriable: true,
            });
      }
      try {
        resolver = reader.createResolver(writer);
      } catch (err) {
        throw new SerdeError(`schema id ${id} cannot be read as ${stream} (${this.kind})`, {
          cause: err,
        });
      }
      this.resolvers.set(key, resolver);
    }
    try {
      return reader.fromBuffer(buffer.subarray(5), resolver);
    } catch (err) {
      throw new SerdeError(
        `the bytes do not decode with schema id ${id}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
}
