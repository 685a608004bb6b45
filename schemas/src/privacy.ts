import type { AvroField, AvroSchema } from './avro-json.js';

/**
 * Every field carries one (docs/privacy.md). none: keep; low: keep 2 years; medium: hash or
 * pseudonymize, 90 days; high: tokenize, 30 days; critical: drop (or encrypt + tokenize), 7 days.
 */
export const PRIVACY_CLASSES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type PrivacyClass = (typeof PRIVACY_CLASSES)[number];

/**
 * How a field of class medium or above relates to the person an event is about (its subject,
 * docs/privacy.md#erasure): `user` and `anonymous` name the subject (tokens from the subject's
 * own key), `linked` belongs to the subject (hashed with the subject's key, or dropped),
 * `none` identifies no one (a tenant token, or dropped).
 */
export const SUBJECT_LINKS = ['user', 'anonymous', 'linked', 'none'] as const;
export type SubjectLink = (typeof SUBJECT_LINKS)[number];

export interface FieldPrivacy {
  /** Dotted path from the stream record, through union branches by record name. */
  path: string;
  privacy: PrivacyClass;
  /** Set on every field of class medium and above. */
  subject?: SubjectLink;
}

/** What is wrong with a field's `subject` attribute, or undefined. */
function subjectProblem(field: AvroField, privacy: PrivacyClass): string | undefined {
  const { subject, contract } = field;
  const above = privacy !== 'none' && privacy !== 'low';
  if (subject === undefined)
    return above
      ? `is class ${privacy} but does not say whether it identifies a subject (subject: ${SUBJECT_LINKS.join(' | ')})`
      : undefined;
  if (!above) return `is class ${privacy}: only fields of class medium and above carry a subject`;
  if (!(SUBJECT_LINKS as readonly unknown[]).includes(subject))
    return `has an unknown subject ${JSON.stringify(subject)}`;
  if ((subject === 'user' || subject === 'anonymous') && contract !== 'identifier')
    return `names the ${subject} subject but is not an identifier`;
  // Neither keyed by the subject, tokenized, nor dropped: it would link records to a person.
  if (subject === 'none' && contract !== 'identifier' && privacy !== 'critical')
    return 'says it identifies no subject, but is neither an identifier (tokenized) nor critical (dropped)';
  return undefined;
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
          const privacy = field.privacy as PrivacyClass;
          const problem = subjectProblem(field, privacy);
          if (problem) problems.push({ path: fieldPath, problem });
          fields.push({
            path: fieldPath,
            privacy,
            ...(field.subject !== undefined ? { subject: field.subject as SubjectLink } : {}),
          });
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
