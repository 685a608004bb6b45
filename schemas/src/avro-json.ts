/**
 * Avro schemas as JSON, the way they are written in avro/*.avsc: named types defined once
 * and referenced by full name. avsc drops custom attributes (our privacy classes) when it
 * exports a schema, so everything that must keep them works on the JSON itself.
 */

export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

export interface AvroField {
  name: string;
  type: AvroSchema;
  privacy?: unknown;
  subject?: unknown;
  contract?: unknown;
  doc?: string;
  default?: unknown;
}

const PRIMITIVES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);

export function isPrimitive(name: string): boolean {
  return PRIMITIVES.has(name);
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** Every named type (record, enum, fixed) defined in a schema, by full name. */
export function collectNamedTypes(
  schema: AvroSchema,
  into = new Map<string, Record<string, unknown>>(),
  namespace?: string,
): Map<string, Record<string, unknown>> {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNamedTypes(branch, into, namespace);
  } else if (typeof schema === 'object') {
    const type = schema.type as AvroSchema;
    if (type === 'record' || type === 'enum' || type === 'fixed') {
      const ns = (schema.namespace as string | undefined) ?? namespace;
      const name = fullName(schema.name as string, ns);
      into.set(name, { ...schema, name, namespace: undefined });
      if (type === 'record') {
        for (const field of schema.fields as AvroField[])
          collectNamedTypes(field.type, into, name.slice(0, name.lastIndexOf('.')) || undefined);
      }
    } else if (type === 'array') {
      collectNamedTypes(schema.items as AvroSchema, into, namespace);
    } else if (type === 'map') {
      collectNamedTypes(schema.values as AvroSchema, into, namespace);
    } else if (typeof type === 'object') {
      collectNamedTypes(type, into, namespace);
    }
  }
  return into;
}

/**
 * A self-contained copy of `schema`: every reference to a named type from `named` is
 * replaced by its definition the first time it appears (later ones stay references, as
 * Avro requires). Names are written fully qualified, attributes kept.
 */
export function inlineSchema(
  schema: AvroSchema,
  named: Map<string, Record<string, unknown>>,
  seen = new Set<string>(),
  namespace?: string,
): AvroSchema {
  if (typeof schema === 'string') {
    if (isPrimitive(schema)) return schema;
    const name = fullName(schema, namespace);
    const definition = named.get(name) ?? named.get(schema);
    if (!definition) throw new Error(`unknown Avro type '${schema}'`);
    const resolved = definition.name as string;
    if (seen.has(resolved)) return resolved;
    return inlineSchema(definition, named, seen, namespace);
  }
  if (Array.isArray(schema))
    return schema.map((branch) => inlineSchema(branch, named, seen, namespace));
  const type = schema.type as AvroSchema;
  if (type === 'record' || type === 'enum' || type === 'fixed') {
    const name = fullName(
      schema.name as string,
      (schema.namespace as string | undefined) ?? namespace,
    );
    if (seen.has(name)) return name;
    seen.add(name);
    const { namespace: _ns, ...rest } = schema;
    const ns = name.slice(0, name.lastIndexOf('.')) || undefined;
    if (type !== 'record') return { ...rest, name };
    return {
      ...rest,
      name,
      fields: (schema.fields as AvroField[]).map((field) => ({
        ...field,
        type: inlineSchema(field.type, named, seen, ns),
      })),
    };
  }
  if (type === 'array')
    return { ...schema, items: inlineSchema(schema.items as AvroSchema, named, seen, namespace) };
  if (type === 'map')
    return { ...schema, values: inlineSchema(schema.values as AvroSchema, named, seen, namespace) };
  if (typeof type === 'object')
    return { ...schema, type: inlineSchema(type, named, seen, namespace) };
  return schema;
}
