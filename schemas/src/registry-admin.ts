import { streamSchemaText } from './avro.js';
import {
  SCHEMA_KINDS,
  STREAM_NAMES,
  valueSubject,
  type SchemaKind,
  type StreamName,
} from './catalog.js';

/**
 * Registration as a deliberate step (`schemas register`), never a side effect of producing:
 * each subject gets BACKWARD compatibility, each schema is checked against the registry
 * before it is registered, and an incompatible one is refused with the registry's reasons.
 */

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': CONTENT_TYPE, Accept: CONTENT_TYPE },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    return { status: res.status, body: { message: text } };
  }
}

export interface SubjectOutcome {
  subject: string;
  stream: StreamName;
  kind: SchemaKind;
  /** new: not registered yet; compatible / incompatible: against what is registered. */
  state: 'new' | 'compatible' | 'incompatible' | 'registered';
  id?: number;
  messages: string[];
}

/** Every subject: the raw.* ones first, then events.*, stream by stream. */
const subjects = () =>
  SCHEMA_KINDS.flatMap((kind) =>
    STREAM_NAMES.map((stream) => ({ stream, kind, subject: valueSubject(kind, stream) })),
  );

/** Checks each local schema against the registry without changing anything. */
export async function checkSchemas(url: string): Promise<SubjectOutcome[]> {
  const out: SubjectOutcome[] = [];
  for (const { stream, kind, subject } of subjects()) {
    const versions = await call(url, 'GET', `/subjects/${subject}/versions`);
    if (versions.status === 404) {
      out.push({ subject, stream, kind, state: 'new', messages: [] });
      continue;
    }
    const check = await call(
      url,
      'POST',
      `/compatibility/subjects/${subject}/versions?verbose=true`,
      {
        schema: streamSchemaText(stream, kind),
      },
    );
    if (check.status !== 200) {
      throw new Error(
        `${subject}: the registry answered ${check.status}: ${String(check.body.message)}`,
      );
    }
    out.push({
      subject,
      stream,
      kind,
      state: check.body.is_compatible === true ? 'compatible' : 'incompatible',
      messages: (check.body.messages as string[] | undefined) ?? [],
    });
  }
  return out;
}

/** Registers every stream's schema under BACKWARD compatibility; incompatible ones are refused. */
export async function registerSchemas(url: string): Promise<SubjectOutcome[]> {
  const out: SubjectOutcome[] = [];
  for (const { stream, kind, subject } of subjects()) {
    const level = await call(url, 'GET', `/config/${subject}`);
    if (level.status === 404)
      await call(url, 'PUT', `/config/${subject}`, { compatibility: 'BACKWARD' });
    const res = await call(url, 'POST', `/subjects/${subject}/versions`, {
      schema: streamSchemaText(stream, kind),
    });
    if (res.status === 200)
      out.push({
        subject,
        stream,
        kind,
        state: 'registered',
        id: res.body.id as number,
        messages: [],
      });
    else if (res.status === 409)
      out.push({
        subject,
        stream,
        kind,
        state: 'incompatible',
        messages: [String(res.body.message)],
      });
    else
      throw new Error(
        `${subject}: the registry answered ${res.status}: ${String(res.body.message)}`,
      );
  }
  return out;
}
