import avro from 'avsc';
import type { SchemaKind, StreamName } from './catalog.js';
import { ENRICHED_SCHEMAS, STREAM_SCHEMAS } from './generated/schemas.js';

/**
 * How every process turns Avro into JS values. 'auto' leaves nullable unions plain
 * (`string | null`) and wraps unions of records (`{ '<full name>': value }`); writer and
 * reader must agree on it, so it is set here once.
 */
export const AVRO_OPTIONS = { wrapUnions: 'auto' } as const;

const types = new Map<string, avro.Type>();

function schemaOf(stream: StreamName, kind: SchemaKind): unknown {
  return kind === 'raw' ? STREAM_SCHEMAS[stream] : ENRICHED_SCHEMAS[stream];
}

/** The avsc type of a stream's raw or enriched value schema (built on first use, then cached). */
export function streamType(stream: StreamName, kind: SchemaKind = 'raw'): avro.Type {
  const key = `${kind}:${stream}`;
  let type = types.get(key);
  if (!type) {
    type = avro.Type.forSchema(schemaOf(stream, kind) as avro.Schema, {
      ...AVRO_OPTIONS,
      registry: {},
    });
    types.set(key, type);
  }
  return type;
}

/** The schema text registered for a stream: the generated JSON, privacy attributes included. */
export function streamSchemaText(stream: StreamName, kind: SchemaKind = 'raw'): string {
  return JSON.stringify(schemaOf(stream, kind));
}
