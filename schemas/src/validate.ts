import type avro from 'avsc';
import { STREAMS, type SchemaKind, type StreamName } from './catalog.js';
import { streamType } from './avro.js';
import { checkedLeaves } from './leaves.js';
import { CODE_CHECKS, valueAt, type CodeContract } from './contracts.js';

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

const FLOAT_MAX = 3.4028234663852886e38;

/**
 * What the schema alone cannot say: every code field holds a code of its contract (a
 * language tag, a time zone, a currency…), and every floating-point number is finite and
 * fits its type (JSON's 1e400 parses as Infinity). In events.* values, fields masked by
 * their class hold hashes, so their codes are not checked there. Messages never echo values.
 */
export function validateContracts(
  stream: StreamName,
  value: unknown,
  kind: SchemaKind = 'raw',
): FieldError[] {
  const errors: FieldError[] = [];
  for (const leaf of checkedLeaves(stream, kind)) {
    const v = valueAt(value, leaf.segments);
    if (v === null || v === undefined) continue;
    if (leaf.kind === 'float' || leaf.kind === 'double') {
      if (typeof v !== 'number') continue;
      if (!Number.isFinite(v))
        errors.push({ field: leaf.path, message: 'Expected a finite number' });
      else if (leaf.kind === 'float' && Math.abs(v) > FLOAT_MAX)
        errors.push({ field: leaf.path, message: 'Out of range for a 32-bit float' });
      continue;
    }
    if (typeof v !== 'string') continue;
    const problem = CODE_CHECKS[leaf.contract as CodeContract](v);
    if (problem) errors.push({ field: leaf.path, message: problem });
  }
  return errors;
}

/**
 * What the gateway, the producer SDK and enrich all check: the value fits the stream's
 * schema and the contracts of its fields, its event_type belongs to the stream, and the
 * payload is the branch that type carries.
 */
export function validateEvent(
  stream: StreamName,
  value: unknown,
  kind: SchemaKind = 'raw',
): FieldError[] {
  const errors = validateStreamValue(stream, value, kind);
  if (errors.length > 0) return errors;
  const broken = validateContracts(stream, value, kind);
  if (broken.length > 0) return broken;
  const { envelope, payload } = value as {
    envelope: { event_type: string };
    payload: Record<string, unknown>;
  };
  const branch = (STREAMS[stream].eventTypes as Record<string, string>)[envelope.event_type];
  if (branch === undefined) {
    return [
      {
        field: 'envelope.event_type',
        message: `Unknown event type for stream ${stream}`,
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
