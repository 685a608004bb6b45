import { createHash } from 'node:crypto';
import { ENRICHED_SCHEMAS, type StreamName } from '@backbone/schemas';
import { memoize } from '@backbone/runtime';
import { PROVENANCE_COLUMNS, rawTable, streamColumns } from './columns.js';
import { ident, literal, qualified, type TableNames } from './raw-tables.js';
import { notErased } from './erasure-tables.js';

/**
 * The landing table of a stream: where the sink hands ClickHouse the events.* record values
 * as they are (Confluent-framed Avro, `FORMAT AvroConfluent`), so no row is decoded or
 * encoded in JavaScript. It has the Null engine (it keeps nothing); its materialized view
 * flattens each record into the stream's raw table, whose own views fill the rollups.
 *
 * The sink wraps every record in a `SinkRow` schema of its own — the event, then the record's
 * partition and offset — which costs no decoding: an Avro record is its fields' encodings one
 * after another, so the wrapper is the event's bytes followed by two varints.
 *
 * Columns are the Avro leaves by dotted path (`event.envelope.consent.gpc`), which ClickHouse
 * matches by name: a writer schema that lacks a field of today's schema lands with the
 * field's default. The payload union is one Variant
 * of Tuples, which must match a writer's branches exactly; a writer whose payload differs
 * from today's goes through the sink's decoding path instead (`fitsLanding`).
 * docs/architecture.md#the-sinks-byte-path
 */

type Avro = unknown;
interface AvroField {
  name: string;
  type: Avro;
  default?: unknown;
}
interface AvroNamed {
  type: 'record' | 'enum' | 'fixed';
  name: string;
  namespace?: string;
  fields?: AvroField[];
}

const PRIMITIVES: Record<string, string> = {
  string: 'String',
  bytes: 'String',
  int: 'Int32',
  long: 'Int64',
  float: 'Float32',
  double: 'Float64',
  boolean: 'Bool',
};

/** Named types seen so far (a schema may define a type once and then refer to it by name). */
type Names = Map<string, AvroNamed>;

function fullName(t: AvroNamed, namespace: string | undefined): string {
  if (t.name.includes('.')) return t.name;
  const ns = t.namespace ?? namespace;
  return ns ? `${ns}.${t.name}` : t.name;
}

/** Resolves a reference by name; records what a definition names. */
function resolve(t: Avro, names: Names, namespace?: string): Avro {
  if (typeof t === 'string') {
    if (PRIMITIVES[t] || t === 'null') return t;
    const found = names.get(t) ?? names.get(namespace ? `${namespace}.${t}` : t);
    if (!found) throw new Error(`landing: unknown Avro type ${t}`);
    return found;
  }
  if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
    const named = t as AvroNamed;
    if (named.type === 'record' || named.type === 'enum' || named.type === 'fixed') {
      const name = fullName(named, namespace);
      names.set(name, named);
      names.set(named.name.split('.').pop()!, named);
    }
  }
  return t;
}

const namespaceOf = (t: AvroNamed, outer: string | undefined) => {
  const name = fullName(t, outer);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : outer;
};

/** The ClickHouse type AvroConfluent reads an Avro type into. */
function landingType(t: Avro, names: Names, namespace?: string): string {
  const r = resolve(t, names, namespace);
  if (typeof r === 'string') {
    const p = PRIMITIVES[r];
    if (!p) throw new Error(`landing: no ClickHouse type for Avro ${r}`);
    return p;
  }
  if (Array.isArray(r)) {
    const rest = r.filter((b) => b !== 'null');
    if (rest.length === 1 && rest.length < r.length) {
      const inner = landingType(rest[0], names, namespace);
      if (/^(Tuple|Map|Array|Variant)\(/.test(inner))
        throw new Error(`landing: a nullable ${inner} has no ClickHouse form`);
      return `Nullable(${inner})`;
    }
    if (rest.length < r.length) throw new Error('landing: a nullable union of several types');
    return `Variant(${rest.map((b) => landingType(b, names, namespace)).join(', ')})`;
  }
  const o = r as {
    type: string;
    logicalType?: string;
    values?: Avro;
    items?: Avro;
    symbols?: string[];
  };
  if (o.type === 'long' && o.logicalType === 'timestamp-millis') return 'DateTime64(3)';
  if (o.type === 'enum')
    return `Enum${o.symbols!.length < 128 ? 8 : 16}(${o.symbols!.map((s, i) => `'${s.replace(/'/g, "\\'")}' = ${i}`).join(', ')})`;
  if (o.type === 'map') return `Map(String, ${landingType(o.values, names, namespace)})`;
  if (o.type === 'array') return `Array(${landingType(o.items, names, namespace)})`;
  if (o.type === 'record') {
    const rec = o as unknown as AvroNamed;
    const ns = namespaceOf(rec, namespace);
    const fields = rec.fields!.map((f) => `${f.name} ${landingType(f.type, names, ns)}`);
    return `Tuple(${fields.join(', ')})`;
  }
  if (PRIMITIVES[o.type]) return landingType(o.type, names, namespace);
  throw new Error(`landing: no ClickHouse type for Avro ${o.type}`);
}

/** A payload branch: its Tuple type (as ClickHouse names it) and its field names. */
interface Branch {
  type: string;
  fields: string[];
}

/** What an enriched schema looks like to the landing table. */
export interface LandingShape {
  /** `event.<path>` → ClickHouse type, for every leaf of the envelope and enrichment. */
  leaves: Map<string, string>;
  /** The Avro defaults of leaves that have one: a writer without the field lands with it. */
  defaults: Map<string, string | number | boolean>;
  /** The payload column's type, and its branches. */
  payload: string;
  branches: Branch[];
}

/** Flattens an enriched schema (envelope, enrichment, payload) into landing columns. */
export function landingShape(schema: unknown): LandingShape {
  const names: Names = new Map();
  const root = resolve(schema, names) as AvroNamed;
  const rootNs = namespaceOf(root, undefined);
  const leaves = new Map<string, string>();
  const defaults = new Map<string, string | number | boolean>();
  const walk = (t: Avro, path: string, ns: string | undefined, d?: unknown) => {
    const r = resolve(t, names, ns);
    if (
      typeof r === 'object' &&
      r !== null &&
      !Array.isArray(r) &&
      (r as AvroNamed).type === 'record'
    ) {
      const rec = r as AvroNamed;
      const inner = namespaceOf(rec, ns);
      for (const f of rec.fields!) walk(f.type, `${path}.${f.name}`, inner, f.default);
      return;
    }
    leaves.set(path, landingType(r, names, ns));
    if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean')
      defaults.set(path, d);
  };
  let payload: Avro;
  for (const f of root.fields ?? []) {
    if (f.name === 'payload') payload = f.type;
    else walk(f.type, `event.${f.name}`, rootNs);
  }
  const branchTypes = (Array.isArray(payload) ? payload : [payload]).map((b) => {
    const rec = resolve(b, names, rootNs) as AvroNamed;
    return {
      type: landingType(rec, names, rootNs),
      fields: (rec.fields ?? []).map((f) => f.name),
    };
  });
  return {
    leaves,
    defaults,
    payload: `Variant(${branchTypes.map((b) => b.type).join(', ')})`,
    branches: branchTypes,
  };
}

const currentShape = memoize((stream: StreamName) => landingShape(ENRICHED_SCHEMAS[stream]), 16);

/**
 * Whether records written with `writer` (an enriched schema of the stream, as JSON) can go
 * through the landing table: each of its leaves is one of today's with the same type, and
 * its payload union is today's.
 */
export function fitsLanding(stream: StreamName, writer: unknown): boolean {
  const today = currentShape(stream);
  let shape: LandingShape;
  try {
    shape = landingShape(writer);
  } catch {
    return false;
  }
  if (shape.payload !== today.payload) return false;
  for (const [name, type] of shape.leaves) if (today.leaves.get(name) !== type) return false;
  return true;
}

/** The landing table's columns, in order, as `name type`. */
function landingColumns(stream: StreamName): string[] {
  const shape = currentShape(stream);
  return [
    ...[...shape.leaves].map(([name, type]) => {
      const d = shape.defaults.get(name);
      const value = typeof d === 'string' ? literal(d) : d === undefined ? '' : String(d);
      return `${ident(name)} ${type}${value ? ` DEFAULT ${value}` : ''}`;
    }),
    `${ident('event.payload')} ${shape.payload}`,
    '`_partition` Int32',
    '`_offset` Int64',
  ];
}

/** The view's SELECT list: each raw column from its leaf, or from the payload branch that has it. */
function landingSelect(stream: StreamName): string[] {
  const shape = currentShape(stream);
  const payload = ident('event.payload');
  const out: string[] = [];
  for (const c of streamColumns(stream)) {
    if (!c.payload) {
      out.push(`${ident(`event.${c.path.join('.')}`)} AS ${ident(c.name)}`);
      continue;
    }
    const holders = shape.branches.filter((b) => b.fields.includes(c.name));
    const pick = (b: Branch) =>
      `tupleElement(variantElement(${payload}, ${literal(b.type)}), ${literal(c.name)})`;
    // A field every branch has is never absent: the last branch needs no test.
    const all = holders.length === shape.branches.length;
    const arms = holders
      .slice(0, all ? -1 : undefined)
      .map((b) => `variantType(${payload}) = ${literal(b.type)}, ${pick(b)}`);
    const otherwise = all ? pick(holders[holders.length - 1]!) : 'NULL';
    out.push(
      `${arms.length ? `multiIf(${arms.join(', ')}, ${otherwise})` : otherwise} AS ${ident(c.name)}`,
    );
  }
  for (const p of PROVENANCE_COLUMNS) out.push(ident(p.name));
  return out;
}

/** The landing table of a stream; its name carries its shape, so a new schema gets a new one. */
export const landingTable = memoize((stream: StreamName): string => {
  const hash = createHash('sha256')
    .update(
      landingColumns(stream).join(',') +
        '\n' +
        landingSelect(stream).join(',') +
        '\n' +
        landingWhere(stream, { database: 'db', suffix: '' }),
    )
    .digest('hex')
    .slice(0, 8);
  return `${rawTable(stream)}_landing_${hash}`;
}, 16);

/** The view's condition: rows of erased subjects are left out (docs/privacy.md#erasure). */
function landingWhere(stream: StreamName, names: TableNames): string {
  return notErased(stream, names, (c) => {
    const column = streamColumns(stream).find((s) => s.name === c)!;
    return ident(`event.${column.path.join('.')}`);
  });
}

/**
 * The landing table and its view into the raw table. Rows of erased subjects are left out. Idempotent; a schema change makes a
 * table of another name, while sinks of the previous release keep writing to theirs.
 */
export function landingDdl(stream: StreamName, names: TableNames): string[] {
  const landing = landingTable(stream);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(names, landing)} (
  ${landingColumns(stream).join(',\n  ')}
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(names, `${landing}_mv`)}
TO ${qualified(names, rawTable(stream))} AS
SELECT
  ${landingSelect(stream).join(',\n  ')}
FROM ${qualified(names, landing)}
WHERE ${landingWhere(stream, names) || '1'}`,
  ];
}
