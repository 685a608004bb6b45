import {
  collectNamedTypes,
  inlineSchema,
  isPrimitive,
  type AvroField,
  type AvroSchema,
} from './avro-json.js';
import { STREAMS, STREAM_NAMES } from './catalog.js';
import { walkContracts } from './contracts.js';
import { walkPrivacy } from './privacy.js';

export interface SchemaFile {
  file: string;
  json: AvroSchema;
}

export class SchemaBuildError extends Error {
  constructor(readonly problems: string[]) {
    super(`the Avro schemas are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SchemaBuildError';
  }
}

const HEADER =
  '// Generated from schemas/avro/*.avsc by `npm run generate -w @backbone/schemas`. Do not edit.\n';

export interface BuiltSchemas {
  raw: Record<string, AvroSchema>;
  events: Record<string, AvroSchema>;
}

/** The self-contained (inlined) raw and enriched schema of every stream, checked for privacy classes and value contracts. */
export function buildStreamSchemas(files: SchemaFile[]): BuiltSchemas {
  const named = new Map<string, Record<string, unknown>>();
  for (const { json } of files) collectNamedTypes(json, named);
  const problems: string[] = [];
  const out: BuiltSchemas = { raw: {}, events: {} };
  for (const stream of STREAM_NAMES) {
    const def = STREAMS[stream];
    const missing = [def.file, def.enrichedFile].filter(
      (file) => !files.some((f) => f.file === file),
    );
    if (missing.length > 0) {
      problems.push(`stream ${stream}: ${missing.join(', ')} missing`);
      continue;
    }
    const schema = inlineSchema(def.record, named);
    const enriched = inlineSchema(def.enrichedRecord, named);
    for (const p of [...walkPrivacy(schema).problems, ...walkContracts(schema).problems])
      problems.push(`${def.file}: field ${p.path} ${p.problem}`);
    // The envelope and payload records are shared with the raw schema and reported there.
    for (const p of [...walkPrivacy(enriched).problems, ...walkContracts(enriched).problems]) {
      if (!/^(envelope|payload)\./.test(p.path))
        problems.push(`${def.enrichedFile}: field ${p.path} ${p.problem}`);
    }
    if (payloadBranches(enriched).join() !== payloadBranches(schema).join()) {
      problems.push(`${def.enrichedFile}: its payload branches differ from ${def.file}`);
    }
    const branches = new Set(payloadBranches(schema));
    for (const [eventType, branch] of Object.entries(def.eventTypes)) {
      if (!branches.has(branch))
        problems.push(
          `stream ${stream}: event type ${eventType} names ${branch}, which is not a payload branch`,
        );
    }
    out.raw[stream] = schema;
    out.events[stream] = enriched;
  }
  if (problems.length > 0) throw new SchemaBuildError(problems);
  return out;
}

function payloadBranches(schema: AvroSchema): string[] {
  const fields = (schema as { fields?: AvroField[] }).fields ?? [];
  const payload = fields.find((f) => f.name === 'payload');
  return Array.isArray(payload?.type)
    ? payload.type.map((b) => (typeof b === 'string' ? b : String((b as { name: string }).name)))
    : [];
}

const shortName = (full: string) => full.slice(full.lastIndexOf('.') + 1);

function tsType(schema: AvroSchema): string {
  if (typeof schema === 'string') {
    if (isPrimitive(schema)) {
      return {
        null: 'null',
        boolean: 'boolean',
        int: 'number',
        long: 'number',
        float: 'number',
        double: 'number',
        bytes: 'Buffer',
        string: 'string',
      }[schema] as string;
    }
    return shortName(schema);
  }
  if (Array.isArray(schema)) {
    const records = schema.filter(
      (b) => typeof b === 'object' || (typeof b === 'string' && !isPrimitive(b)),
    );
    // avsc wraps a union whose branches a JS value cannot tell apart (several records):
    // the value is { '<full name>': branch }.
    if (records.length > 1) {
      return schema
        .map(
          (b) =>
            `{ '${typeof b === 'string' ? b : String((b as { name: string }).name)}': ${tsType(b)} }`,
        )
        .join(' | ');
    }
    return schema.map(tsType).join(' | ');
  }
  const type = schema.type as AvroSchema;
  if (type === 'record' || type === 'enum' || type === 'fixed')
    return shortName(schema.name as string);
  if (type === 'array') return `${tsType(schema.items as AvroSchema)}[]`;
  if (type === 'map') return `Record<string, ${tsType(schema.values as AvroSchema)}>`;
  return tsType(type);
}

function declarations(named: Map<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const [full, def] of [...named].sort(([a], [b]) => a.localeCompare(b))) {
    const name = shortName(full);
    const clash = seen.get(name);
    if (clash) throw new SchemaBuildError([`two types are called ${name}: ${clash} and ${full}`]);
    seen.set(name, full);
    const doc = typeof def.doc === 'string' ? `/** ${def.doc} (${full}) */\n` : `/** ${full} */\n`;
    if (def.type === 'enum') {
      out.push(
        `${doc}export type ${name} = ${(def.symbols as string[]).map((s) => `'${s}'`).join(' | ')};`,
      );
    } else if (def.type === 'record') {
      const fields = (def.fields as AvroField[]).map((f) => {
        const contract = typeof f.contract === 'string' ? `, contract: ${f.contract}` : '';
        const note = [`privacy: ${String(f.privacy)}${contract}`, f.doc].filter(Boolean).join('. ');
        return `  /** ${note} */\n  ${f.name}: ${tsType(f.type)};`;
      });
      out.push(`${doc}export interface ${name} {\n${fields.join('\n')}\n}`);
    }
  }
  return out;
}

/** The two generated modules: the inlined schemas and the TypeScript types. */
export function generate(files: SchemaFile[]): { schemasTs: string; typesTs: string } {
  const streams = buildStreamSchemas(files);
  // From the inlined schemas, where every nested record carries its full name.
  const named = new Map<string, Record<string, unknown>>();
  for (const schema of [...Object.values(streams.raw), ...Object.values(streams.events)])
    collectNamedTypes(schema, named);

  const schemasTs = `${HEADER}
/** Each stream's raw value schema (raw.* topics), self-contained, with its privacy attributes. */
export const STREAM_SCHEMAS = ${JSON.stringify(streams.raw, null, 2)} as const;

/** Each stream's enriched, masked value schema (events.* topics). */
export const ENRICHED_SCHEMAS = ${JSON.stringify(streams.events, null, 2)} as const;
`;
  const enrichedMap = STREAM_NAMES.map(
    (s) => `  '${s}': ${shortName(STREAMS[s].enrichedRecord)};`,
  ).join('\n');
  const streamMap = STREAM_NAMES.map((s) => `  '${s}': ${shortName(STREAMS[s].record)};`).join(
    '\n',
  );
  const payloadMap = STREAM_NAMES.flatMap((s) =>
    Object.entries(STREAMS[s].eventTypes).map(
      ([eventType, branch]) => `  ${eventType}: ${shortName(branch)};`,
    ),
  ).join('\n');
  const typesTs = `${HEADER}
${declarations(named).join('\n\n')}

/** The value type of each stream's raw.* topic. */
export interface StreamEvents {
${streamMap}
}

/** The value type of each stream's events.* topic (enriched and masked). */
export interface EnrichedStreamEvents {
${enrichedMap}
}

/** The payload each event type carries. */
export interface PayloadByEventType {
${payloadMap}
}
`;
  return { schemasTs, typesTs };
}
