import { memoize } from '@backbone/runtime';
import { TABLES } from './tables.js';
import {
  ENRICHED_SCHEMAS,
  walkPrivacy,
  type PrivacyClass,
  type StreamName,
} from '@backbone/schemas';

/**
 * The ClickHouse columns of a stream's raw table, derived from its enriched Avro schema
 * (column lists come from the schemas, never from a copy that could drift):
 * - envelope fields by name; its nested records flattened with their name as prefix
 *   (`consent_analytics`, `context_locale`);
 * - enrichment fields by name (`device_type`, `country`, `page_path`, …);
 * - payload: the fields of every union branch, merged by name (`confidence` of a segment and
 *   of a language detection are one column); a field missing from some branch is Nullable.
 * Each column keeps the field's privacy class, which sets its TTL.
 */
export interface Column {
  name: string;
  type: string;
  privacy: PrivacyClass;
  /** Path in the decoded Avro value; a payload field is looked up in whichever branch is set. */
  path: readonly string[];
  payload: boolean;
  timestamp: boolean;
}

/** Dimensions with few distinct values: dictionary-encoded (LowCardinality). */
const LOW_CARDINALITY = new Set([
  'event_type',
  'tenant_id',
  'source',
  'context_locale',
  'context_timezone',
  'device_type',
  'browser',
  'browser_major',
  'os',
  'os_major',
  'country',
  'region',
  'page_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'traffic_source',
  'traffic_medium',
  'text_policy',
  'currency',
  'model_id',
  'language',
  'code',
  'status',
]);

type Avro = unknown;
interface AvroFieldJson {
  name: string;
  type: Avro;
  privacy: PrivacyClass;
}
interface AvroRecordJson {
  type: 'record';
  name: string;
  fields: AvroFieldJson[];
}

const isRecord = (t: Avro): t is AvroRecordJson =>
  typeof t === 'object' &&
  t !== null &&
  !Array.isArray(t) &&
  (t as AvroRecordJson).type === 'record';

function baseType(t: Avro, lowCardinality: boolean): { type: string; timestamp: boolean } {
  if (typeof t === 'string') {
    const primitive: Record<string, string> = {
      string: lowCardinality ? 'LowCardinality(String)' : 'String',
      int: 'Int32',
      long: 'Int64',
      float: 'Float32',
      double: 'Float64',
      boolean: 'Bool',
      bytes: 'String',
    };
    const type = primitive[t];
    if (!type) throw new Error(`no ClickHouse type for Avro type ${t}`);
    return { type, timestamp: false };
  }
  const o = t as { type: string; logicalType?: string; values?: Avro; items?: Avro };
  if (o.type === 'long' && o.logicalType === 'timestamp-millis')
    return { type: "DateTime64(3, 'UTC')", timestamp: true };
  // Enum symbols can grow with the schema; a dictionary-encoded string needs no ALTER for that.
  if (o.type === 'enum') return { type: 'LowCardinality(String)', timestamp: false };
  if (o.type === 'map')
    return { type: `Map(String, ${baseType(o.values, false).type})`, timestamp: false };
  if (o.type === 'array')
    return { type: `Array(${baseType(o.items, false).type})`, timestamp: false };
  return baseType(o.type, lowCardinality);
}

function columnType(t: Avro, name: string, forceNullable: boolean) {
  const lowCardinality = LOW_CARDINALITY.has(name);
  let nullable = forceNullable;
  let inner = t;
  if (Array.isArray(t)) {
    const rest = t.filter((b) => b !== 'null');
    if (rest.length !== 1)
      throw new Error(`column ${name}: only ["null", T] unions map to columns`);
    nullable = nullable || rest.length < t.length;
    inner = rest[0];
  }
  const base = baseType(inner, lowCardinality);
  // Map and Array cannot be Nullable in ClickHouse; their empty value stands for "absent".
  if (!nullable || /^(Map|Array)\(/.test(base.type)) return base;
  const type = base.type.startsWith('LowCardinality(')
    ? `LowCardinality(Nullable(${base.type.slice('LowCardinality('.length, -1)}))`
    : `Nullable(${base.type})`;
  return { type, timestamp: base.timestamp };
}

function deriveColumns(stream: StreamName): Column[] {
  const root = ENRICHED_SCHEMAS[stream] as unknown as AvroRecordJson;
  const columns: Column[] = [];
  const flat = (record: AvroRecordJson, path: string[], prefix: string) => {
    for (const f of record.fields) {
      if (isRecord(f.type)) {
        flat(f.type, [...path, f.name], `${prefix}${f.name}_`);
        continue;
      }
      const name = `${prefix}${f.name}`;
      columns.push({
        name,
        ...columnType(f.type, name, false),
        privacy: f.privacy,
        path: [...path, f.name],
        payload: false,
      });
    }
  };
  for (const part of root.fields) {
    if (part.name === 'payload') continue;
    if (!isRecord(part.type)) throw new Error(`${stream}: ${part.name} is not a record`);
    // The envelope's own fields and the enrichment's keep their names; deeper records get prefixes.
    for (const f of part.type.fields) {
      if (isRecord(f.type)) flat(f.type, [part.name, f.name], `${f.name}_`);
      else
        columns.push({
          name: f.name,
          ...columnType(f.type, f.name, false),
          privacy: f.privacy,
          path: [part.name, f.name],
          payload: false,
        });
    }
  }
  const payload = root.fields.find((f) => f.name === 'payload');
  const branches = (Array.isArray(payload?.type) ? payload.type : []) as AvroRecordJson[];
  const merged = new Map<string, { field: AvroFieldJson; in: number; nullable: boolean }>();
  for (const branch of branches) {
    for (const field of branch.fields) {
      const seen = merged.get(field.name);
      if (!seen) {
        merged.set(field.name, { field, in: 1, nullable: false });
        continue;
      }
      const a = columnType(seen.field.type, field.name, true).type;
      const b = columnType(field.type, field.name, true).type;
      if (a !== b)
        throw new Error(`${stream}: payload field ${field.name} has two types (${a}, ${b})`);
      const rank = ['none', 'low', 'medium', 'high', 'critical'];
      // Merged fields take the stricter class and the nullable form.
      if (rank.indexOf(field.privacy) > rank.indexOf(seen.field.privacy)) seen.field = field;
      seen.in++;
    }
  }
  for (const [name, m] of merged) {
    if (columns.some((c) => c.name === name))
      throw new Error(`${stream}: payload field ${name} collides with an envelope column`);
    columns.push({
      name,
      ...columnType(m.field.type, name, m.in < branches.length),
      privacy: m.field.privacy,
      path: ['payload', name],
      payload: true,
    });
  }
  return columns;
}

/** Where each Kafka record came from: for verification, replays and exactly-once audits. */
export const PROVENANCE_COLUMNS = [
  { name: '_partition', type: 'UInt16' },
  { name: '_offset', type: 'UInt64' },
] as const;

export const streamColumns: (stream: StreamName) => Column[] = memoize(deriveColumns, 16);

/** The raw columns of a stream that hold a subject's token (its user and anonymous ids). */
export const subjectColumns = memoize((stream: StreamName): string[] => {
  const paths = new Set(
    walkPrivacy(ENRICHED_SCHEMAS[stream])
      .fields.filter((f) => f.subject === 'user' || f.subject === 'anonymous')
      .map((f) => f.path),
  );
  return streamColumns(stream)
    .filter((c) => !c.payload && paths.has(c.path.join('.')))
    .map((c) => c.name);
}, 16);

/** The columns a sink row fills, in the order of toRow's values. */
export const rowColumns = memoize(
  (stream: StreamName): string[] => [
    ...streamColumns(stream).map((c) => c.name),
    ...PROVENANCE_COLUMNS.map((c) => c.name),
  ],
  16,
);

/** Each stream's raw table in ClickHouse. */
export const RAW_TABLES: Readonly<Record<StreamName, string>> = {
  web: TABLES.webEvents,
  'stt.transcript': TABLES.sttTranscriptEvents,
  'stt.speaker': TABLES.sttSpeakerEvents,
  'stt.session': TABLES.sttSessionEvents,
  consent: TABLES.consentEvents,
};

export const rawTable = (stream: StreamName): string => RAW_TABLES[stream];

/** 'YYYY-MM-DD hh:mm:ss.sss' in UTC, which DateTime64(3, 'UTC') parses without best-effort mode. */
export function clickhouseTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * One decoded enriched event as a JSONCompactEachRow row (values in rowColumns order): half
 * the bytes of JSONEachRow, which repeats every column name in every row.
 */
export function toRow(
  stream: StreamName,
  value: unknown,
  partition: number,
  offset: string,
): unknown[] {
  const columns = streamColumns(stream);
  const row = new Array<unknown>(columns.length + 2);
  const payloadBranch = Object.values(
    ((value as Record<string, unknown>).payload ?? {}) as Record<string, unknown>,
  )[0] as Record<string, unknown> | undefined;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    let v: unknown;
    if (c.payload) v = payloadBranch?.[c.name];
    else {
      v = value;
      for (const p of c.path) v = (v as Record<string, unknown> | undefined)?.[p];
    }
    if (v === undefined) v = null;
    else if (c.timestamp && typeof v === 'number') v = clickhouseTime(v);
    row[i] = v;
  }
  row[columns.length] = partition;
  row[columns.length + 1] = offset;
  return row;
}
