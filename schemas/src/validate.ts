import type avro from 'avsc';
import { STREAMS, type SchemaKind, type StreamName } from './catalog.js';
import { streamType } from './avro.js';

export interface FieldError {
  /** Dotted path in the stream value, e.g. `payload.backbone.events.web.Conversion.value`. */
  field: string;
  message: string;
}

function describe(type: avro.Type): string {
  const name = type.typeName;
  if (name === 'union:unwrapped' || name === 'union:wrapped') {
    return (type as unknown as { types: avro.Type[] }).types.map(describe).join(' or ');
  }
  if (name === 'record' || name === 'enum' || name === 'fixed') {
    if (name === 'enum')
      return `one of ${(type as unknown as { symbols: string[] }).symbols.join(', ')}`;
    return 'an object';
  }
  if (name === 'int') return 'an integer (32 bits)';
  if (name === 'long') return 'an integer';
  if (name === 'float' || name === 'double') return 'a number';
  if (name === 'map') return 'an object of strings';
  if (name === 'array') return 'an array';
  return `a ${name}`;
}

/**
 * Every reason a value does not fit its stream's schema, each with the field's path.
 * Unknown fields are errors too: a field without a schema has no privacy class.
 */
export function validateStreamValue(
  stream: StreamName,
  value: unknown,
  kind: SchemaKind = 'raw',
): FieldError[] {
  const type = streamType(stream, kind);
  // The common case first: the hook below walks every field to name each problem.
  if (type.isValid(value, { noUndeclaredFields: true })) return [];
  const errors: FieldError[] = [];
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[], got: unknown, type: avro.Type) => {
      const field = path.join('.');
      if (got === undefined) errors.push({ field, message: 'Required field missing' });
      else if (
        type.typeName === 'record' &&
        got !== null &&
        typeof got === 'object' &&
        !Array.isArray(got)
      ) {
        const known = new Set(
          (type as unknown as { fields: { name: string }[] }).fields.map((f) => f.name),
        );
        for (const key of Object.keys(got)) {
          if (!known.has(key))
            errors.push({ field: field ? `${field}.${key}` : key, message: 'Unknown field' });
        }
      } else errors.push({ field, message: `Expected ${describe(type)}` });
    },
  });
  return errors;
}

/**
 * What the gateway and the producer SDK both check: the value fits the stream's schema,
 * its event_type belongs to the stream, and the payload is the branch that type carries.
 */
export function validateEvent(
  stream: StreamName,
  value: unknown,
  kind: SchemaKind = 'raw',
): FieldError[] {
  const errors = validateStreamValue(stream, value, kind);
  if (errors.length > 0) return errors;
  const { envelope, payload } = value as {
    envelope: { event_type: string };
    payload: Record<string, unknown>;
  };
  const branch = (STREAMS[stream].eventTypes as Record<string, string>)[envelope.event_type];
  if (branch === undefined) {
    return [
      {
        field: 'envelope.event_type',
        message: `Unknown event type for stream ${stream}: ${envelope.event_type}`,
      },
    ];
  }
  const given = Object.keys(payload)[0];
  if (given !== branch) {
    return [
      {
        field: 'payload',
        message: `Event type ${envelope.event_type} carries ${branch}, not ${String(given)}`,
      },
    ];
  }
  return [];
}
