import avro from 'avsc';

export const COMPATIBILITY_LEVELS = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

export class InvalidSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSchemaError';
  }
}

/** Parses and validates an Avro schema given as text; throws InvalidSchemaError. */
export function parseAvro(text: string): avro.Type {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // A bare primitive name such as `string` is valid Avro too.
    if (/^[a-z]+$/.test(text.trim())) json = text.trim();
    else throw new InvalidSchemaError(`Invalid schema: not JSON (${(err as Error).message})`);
  }
  try {
    return avro.Type.forSchema(json as avro.Schema, { registry: {} });
  } catch (err) {
    throw new InvalidSchemaError(`Invalid schema: ${(err as Error).message}`);
  }
}

/**
 * The form identical schemas share: JSON with object keys sorted and white space removed.
 * Unlike Avro's Parsing Canonical Form it keeps `doc` and custom attributes, because our
 * schemas carry privacy classes as attributes and a changed class is a new schema.
 */
export function normalizedForm(text: string): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return JSON.stringify(text.trim());
  }
}

/** Why `reader` cannot read data written with `writer`, or undefined when it can. */
function cannotRead(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    // avsc explains a resolution failure; an internal TypeError explains nothing useful.
    if (err instanceof TypeError) {
      return `${writer.name ?? writer.typeName} cannot be resolved into ${reader.name ?? reader.typeName} (incompatible field types)`;
    }
    return (err as Error).message;
  }
}

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

/**
 * Checks a candidate against earlier versions (oldest first) at a compatibility level.
 * BACKWARD: the candidate reads data written with the earlier schema. FORWARD: the earlier
 * schema reads data written with the candidate. FULL: both. Non-transitive levels check the
 * latest version only; _TRANSITIVE levels check every version.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: avro.Type,
  earlier: readonly avro.Type[],
): CompatibilityResult {
  if (level === 'NONE' || earlier.length === 0) return { compatible: true, messages: [] };
  const against = level.endsWith('_TRANSITIVE') ? earlier : earlier.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const old of against) {
    if (backward) {
      const why = cannotRead(candidate, old);
      if (why)
        messages.push(
          `BACKWARD: the new schema cannot read data written with an earlier one: ${why}`,
        );
    }
    if (forward) {
      const why = cannotRead(old, candidate);
      if (why)
        messages.push(
          `FORWARD: an earlier schema cannot read data written with the new one: ${why}`,
        );
    }
  }
  return { compatible: messages.length === 0, messages };
}
