import type { AvroField, AvroSchema } from './avro-json.js';
import { collectNamedTypes, isPrimitive } from './avro-json.js';

/**
 * What a text field may contain: its value contract (docs/privacy.md). A privacy class says
 * how long a field lives and who may see it; the contract says what it may hold, and so what
 * the gateway checks and what enrich does with it. Every field that holds text has one; a
 * field without one fails the build.
 *
 * Codes, checked wherever an event is validated (gateway, producer SDK, enrich):
 * - uuid, code (a bounded identifier-like code: error codes, model ids, tenant ids),
 *   locale (BCP 47), timezone (IANA), currency (ISO 4217), country (ISO 3166-1 alpha-2),
 *   ip (an IPv4 or IPv6 address).
 * Client-chosen or derived text, handled by enrich:
 * - identifier: leaves enrich only as a tenant-scoped token (joins kept, value gone);
 * - free_text: through the redactor;
 * - url: reduced to scheme, host and path (an IP host is dropped), the path redacted;
 * - host: a host name; an IP address is dropped;
 * - label: a short derived label (browser, OS, region): scanned, never trusted.
 */
export const VALUE_CONTRACTS = [
  'uuid',
  'code',
  'locale',
  'timezone',
  'currency',
  'country',
  'ip',
  'identifier',
  'free_text',
  'url',
  'host',
  'label',
] as const;
export type ValueContract = (typeof VALUE_CONTRACTS)[number];

/** The contracts whose values are checked against a pattern or a list when an event is validated. */
export type CodeContract = 'uuid' | 'code' | 'locale' | 'timezone' | 'currency' | 'country' | 'ip';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,127}$/;
// language[-script][-region]: what analytics needs of a tag, and nothing that can carry a name.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|\d{3}))?$/;
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

let currencies: Set<string> | undefined;
const zones = new Map<string, boolean>();

function isTimeZone(value: string): boolean {
  if (!ZONE_NAME.test(value) || value.length > 64) return false;
  let known = zones.get(value);
  if (known === undefined) {
    try {
      // Canonical names and their aliases (US/Eastern, Asia/Calcutta) alike.
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      known = true;
    } catch {
      known = false;
    }
    if (zones.size < 2000) zones.set(value, known);
  }
  return known;
}

function isIpv6(value: string): boolean {
  if (value.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  let text = value;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!IPV4.test(v4[1]!)) return false;
    text = `${text.slice(0, v4.index)}:0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...tail].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count < 8 : count === 8;
}

/** An IPv4 or IPv6 address (a zone index such as %eth0 allowed on IPv6). */
export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || isIpv6(value.split('%')[0] ?? value);
}

const CHECKS: Record<CodeContract, (value: string) => string | null> = {
  uuid: (v) => (UUID.test(v) ? null : 'Expected a UUID'),
  code: (v) =>
    CODE.test(v)
      ? null
      : 'Expected a code: letters, digits and _ . : / + - only, no spaces, at most 128 characters',
  locale: (v) => (isLanguageTag(v) ? null : 'Expected a BCP 47 language tag such as en or en-US'),
  timezone: (v) =>
    isTimeZone(v) ? null : 'Expected an IANA time zone name such as Europe/Berlin or UTC',
  currency: (v) => {
    currencies ??= new Set(Intl.supportedValuesOf('currency'));
    return /^[A-Z]{3}$/.test(v) && currencies.has(v)
      ? null
      : 'Expected an ISO 4217 currency code in capitals, such as EUR';
  },
  country: (v) =>
    /^[A-Z]{2}$/.test(v) ? null : 'Expected an ISO 3166-1 alpha-2 country code such as DE',
  ip: (v) => (isIpAddress(v) ? null : 'Expected an IPv4 or IPv6 address'),
};

/** Codes repeat (a handful of locales and zones): each value is checked once. */
function remembered(check: (value: string) => string | null): (value: string) => string | null {
  const seen = new Map<string, string | null>();
  return (value) => {
    const known = seen.get(value);
    if (known !== undefined) return known;
    const result = check(value);
    if (seen.size >= 10_000) seen.delete(seen.keys().next().value as string);
    seen.set(value, result);
    return result;
  };
}

/** Each code contract's check: the message for a value that breaks it, or null. Never echoes the value. */
export const CODE_CHECKS: Record<CodeContract, (value: string) => string | null> = {
  ...CHECKS,
  // The ones behind a list or Intl (event ids are new every time: a regex is cheaper).
  locale: remembered(CHECKS.locale),
  timezone: remembered(CHECKS.timezone),
  currency: remembered(CHECKS.currency),
};

function isLanguageTag(value: string): boolean {
  if (!LANGUAGE_TAG.test(value)) return false;
  try {
    Intl.getCanonicalLocales(value.replace(/_/g, '-'));
    return true;
  } catch {
    return false;
  }
}

/**
 * A request id as proxies and tracers issue them: a UUID, or 20–64 hex digits with at least
 * one letter. Nothing a person types (a name, a phone or card number) has that form, so a
 * client's X-Request-Id can be kept in logs and headers; any other is replaced.
 */
export function isRequestId(value: string): boolean {
  return UUID.test(value) || /^(?=[0-9]*[a-f])[0-9a-f]{20,64}$/i.test(value);
}

export const isCodeContract = (c: ValueContract): c is CodeContract => c in CHECKS;

/** Where a value lives in a decoded record and what the schema says of it. */
export interface Leaf {
  /** Dotted path as validation errors name it: a wrapped union branch by its full name. */
  path: string;
  /** Keys from the record's root to the value in a JS object (avsc's decoded form). */
  segments: string[];
  /** A string, the keys and values of a map of strings, or a floating-point number. */
  kind: 'string' | 'map' | 'float' | 'double';
  contract?: ValueContract;
  privacy?: string;
}

export interface ContractProblem {
  path: string;
  problem: string;
}

interface Walk {
  leaves: Leaf[];
  problems: ContractProblem[];
}

/**
 * Every text and floating-point value of a self-contained schema, with the contract of the
 * field that holds it; and the fields whose contract is missing, unknown, or on a field
 * that holds no text (named as the build names fields: a union branch by its record's
 * short name).
 */
export function walkContracts(schema: AvroSchema): Walk {
  const named = collectNamedTypes(schema);
  const out: Walk = { leaves: [], problems: [] };
  const resolve = (type: AvroSchema): AvroSchema =>
    typeof type === 'string' && !isPrimitive(type) ? (named.get(type) ?? type) : type;

  const visit = (raw: AvroSchema, segments: string[], path: string, field?: AvroField): boolean => {
    const type = resolve(raw);
    const contract = field?.contract as ValueContract | undefined;
    const leaf = (kind: Leaf['kind']) => {
      out.leaves.push({
        path: segments.join('.'),
        segments,
        kind,
        ...(contract !== undefined ? { contract } : {}),
        ...(typeof field?.privacy === 'string' ? { privacy: field.privacy } : {}),
      });
      return kind === 'string' || kind === 'map';
    };
    if (type === 'string') return leaf('string');
    if (type === 'float' || type === 'double') return (leaf(type), false);
    if (typeof type === 'string') return false;
    if (Array.isArray(type)) {
      const records = type.map(resolve).filter((b) => typeof b === 'object' && !Array.isArray(b));
      let text = false;
      for (const branch of type) {
        const b = resolve(branch);
        const name =
          typeof b === 'object' && !Array.isArray(b) && typeof b.name === 'string' ? b.name : '';
        // avsc wraps a union with several records: the value is { '<full name>': branch }.
        const wrapped = records.length > 1 && name !== '';
        const next = wrapped ? [...segments, name] : segments;
        const nextPath = wrapped ? `${path}.${name.split('.').pop()}` : path;
        text = visit(branch, next, nextPath, field) || text;
      }
      return text;
    }
    if (type.type === 'record') {
      for (const f of type.fields as AvroField[]) {
        const fieldPath = path ? `${path}.${f.name}` : f.name;
        const holdsText = visit(f.type, [...segments, f.name], fieldPath, f);
        check(f, fieldPath, holdsText);
      }
      return false;
    }
    if (type.type === 'map') {
      const values = resolve(type.values as AvroSchema);
      if (values === 'string') return leaf('map');
      return visit(values, segments, path, field);
    }
    if (type.type === 'array') return visit(type.items as AvroSchema, segments, path, field);
    if (typeof type.type === 'object' || typeof type.type === 'string')
      return type.type === 'record' ? false : visit(type.type as AvroSchema, segments, path, field);
    return false;
  };

  const check = (field: AvroField, path: string, holdsText: boolean) => {
    const { contract } = field;
    if (!holdsText) {
      if (contract !== undefined)
        out.problems.push({ path, problem: 'has a value contract but holds no text' });
      return;
    }
    if (contract === undefined)
      out.problems.push({
        path,
        problem: `has no value contract (one of ${VALUE_CONTRACTS.join(', ')})`,
      });
    else if (!(VALUE_CONTRACTS as readonly unknown[]).includes(contract))
      out.problems.push({
        path,
        problem: `has an unknown value contract ${JSON.stringify(contract)}`,
      });
  };

  visit(schema, [], '');
  return out;
}

/** The value at `segments` of a plain object, or undefined. */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The object that holds the value at `segments`, or undefined. */
export function parentAt(
  root: unknown,
  segments: readonly string[],
): Record<string, unknown> | undefined {
  const parent = valueAt(root, segments.slice(0, -1));
  return parent !== null && typeof parent === 'object'
    ? (parent as Record<string, unknown>)
    : undefined;
}
