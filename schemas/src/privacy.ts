import type { AvroField, AvroSchema } from './avro-json.js';

/**
 * Every field carries one (docs/privacy.md). none: keep; low: keep 2 years; medium: hash or
 * pseudonymize, 90 days; high: tokenize, 30 days; critical: drop (or encrypt + tokenize), 7 days.
 */
export const PRIVACY_CLASSES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type PrivacyClass = (typeof PRIVACY_CLASSES)[number];

export interface FieldPrivacy {
  /** Dotted path from the stream record, through union branches by record name. */
  path: string;
  privacy: PrivacyClass;
}

export interface PrivacyProblem {
  path: string;
  problem: string;
}

function isRecord(
  schema: AvroSchema,
): schema is { type: 'record'; name: string; fields: AvroField[] } {
  return typeof schema === 'object' && !Array.isArray(schema) && schema.type === 'record';
}

/** Walks every field of an inlined schema; reports each field's class, and fields without a valid one. */
export function walkPrivacy(schema: AvroSchema): {
  fields: FieldPrivacy[];
  problems: PrivacyProblem[];
} {
  const fields: FieldPrivacy[] = [];
  const problems: PrivacyProblem[] = [];
  const visit = (type: AvroSchema, path: string): void => {
    if (Array.isArray(type)) {
      for (const branch of type)
        visit(branch, isRecord(branch) ? `${path}.${branch.name.split('.').pop()}` : path);
      return;
    }
    if (typeof type !== 'object') return;
    if (isRecord(type)) {
      for (const field of type.fields) {
        const fieldPath = path ? `${path}.${field.name}` : field.name;
        if (
          typeof field.privacy !== 'string' ||
          !(PRIVACY_CLASSES as readonly string[]).includes(field.privacy)
        ) {
          problems.push({
            path: fieldPath,
            problem:
              field.privacy === undefined
                ? 'has no privacy class'
                : `has an unknown privacy class ${JSON.stringify(field.privacy)}`,
          });
        } else {
          fields.push({ path: fieldPath, privacy: field.privacy as PrivacyClass });
        }
        visit(field.type, fieldPath);
      }
    } else if (type.type === 'array') visit(type.items as AvroSchema, path);
    else if (type.type === 'map') visit(type.values as AvroSchema, path);
    else if (typeof type.type === 'object') visit(type.type as AvroSchema, path);
  };
  visit(schema, '');
  return { fields, problems };
}
