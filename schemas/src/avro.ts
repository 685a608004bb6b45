import avro from 'avsc';
import type { StreamName } from './catalog.js';
import { STREAM_SCHEMAS } from './generated/schemas.js';

/**
 * How every process turns Avro into JS values. 'auto' leaves nullable unions plain
 * (`string | null`) and wraps unions of records (`{ '<full name>': value }`); writer and
 * reader must agree on it, so it is set here once.
 */
export const AVRO_OPTIONS = { wrapUnions: 'auto' } as const;

const types = new Map<StreamName, avro.Type>();

/** The avsc type of a stream's value schema (built on first use, then cached). */
export function streamType(stream: StreamName): avro.Type {
  let type = types.get(stream);
  if (!type) {
    type = avro.Type.forSchema(STREAM_SCHEMAS[stream] as unknown as avro.Schema, {
      ...AVRO_OPTIONS,
      registry: {},
    });
    types.set(stream, type);
  }
  return type;
}

/** The schema text registered for a stream: the generated JSON, privacy attributes included. */
export function streamSchemaText(stream: StreamName): string {
  return JSON.stringify(STREAM_SCHEMAS[stream]);
}
