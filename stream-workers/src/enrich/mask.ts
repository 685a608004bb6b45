import { createHmac } from 'node:crypto';
import { memoize } from '../memo.js';
import { STREAM_SCHEMAS, walkPrivacy, type PrivacyClass, type StreamName } from '@backbone/schemas';

/**
 * Masking by privacy class (REFERENCE R3), driven by the `privacy` attribute of every schema
 * field, so a new field is masked by its class without code changes:
 * - none, low: kept;
 * - medium: pseudonymized with a keyed hash (HMAC-SHA-256, `h_` + 32 hex);
 * - high: tokenized with a separate key (`t_` + 32 hex): stable for joins, not reversible;
 * - critical: dropped (null), unless a caller handles the field first (transcript redaction).
 */
export interface MaskKeys {
  /** Secret salt for medium fields (and IP hashes). */
  hashKey: string;
  /** Secret for high fields; rotating it breaks joins on old tokens, so it rarely changes. */
  tokenKey: string;
}

export interface MaskReport {
  /** Fields changed, by class. */
  masked: Record<Exclude<PrivacyClass, 'none' | 'low'>, number>;
}

const hmac = (key: string, value: string) =>
  createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 32);

// Per key set: the same visitor, IP or order id is hashed once (HMAC setup dominates the cost).
const memos = new WeakMap<
  MaskKeys,
  { hash: (v: string) => string; token: (v: string) => string }
>();
function memosFor(keys: MaskKeys) {
  let m = memos.get(keys);
  if (!m) {
    m = {
      hash: memoize((v) => `h_${hmac(keys.hashKey, v)}`, 100_000),
      token: memoize((v) => `t_${hmac(keys.tokenKey, v)}`, 100_000),
    };
    memos.set(keys, m);
  }
  return m;
}

export function pseudonymize(value: string, keys: MaskKeys): string {
  return memosFor(keys).hash(value);
}

export function tokenize(value: string, keys: MaskKeys): string {
  return memosFor(keys).token(value);
}

interface Rule {
  /** Path segments in the JS value; a union branch is a `{ '<full name>': … }` level. */
  segments: string[];
  privacy: Exclude<PrivacyClass, 'none' | 'low'>;
}

/** The masking rules of a stream: every field above `low`, with its path in JS values. */
export const maskingRules = memoize((stream: StreamName): Rule[] => {
  const branches = new Map<string, string>();
  const collect = (schema: unknown): void => {
    if (Array.isArray(schema)) schema.forEach(collect);
    else if (schema && typeof schema === 'object') {
      const s = schema as { type?: unknown; name?: string; fields?: { type: unknown }[] };
      if (s.type === 'record' && s.name) {
        branches.set(s.name.slice(s.name.lastIndexOf('.') + 1), s.name);
        s.fields?.forEach((f) => collect(f.type));
      } else if (s.type && typeof s.type === 'object') collect(s.type);
    }
  };
  collect(STREAM_SCHEMAS[stream]);
  return walkPrivacy(STREAM_SCHEMAS[stream])
    .fields.filter((f) => f.privacy !== 'none' && f.privacy !== 'low')
    .map((f) => ({
      // walkPrivacy names a union branch by its short record name; values key it by full name.
      segments: f.path
        .split('.')
        .map((segment, i, all) =>
          i > 0 && all[i - 1] === 'payload' ? (branches.get(segment) ?? segment) : segment,
        ),
      privacy: f.privacy as Rule['privacy'],
    }));
}, 16);

function maskValue(value: unknown, privacy: Rule['privacy'], keys: MaskKeys): unknown {
  if (value === null || value === undefined) return value;
  if (privacy === 'critical') return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return privacy === 'medium' ? pseudonymize(text, keys) : tokenize(text, keys);
}

/** A masked copy of a stream value; the input is left as it was. */
export function maskEvent<T>(
  stream: StreamName,
  value: T,
  keys: MaskKeys,
): { value: T; report: MaskReport } {
  const copy = clonePlain(value) as Record<string, unknown>;
  const report: MaskReport = { masked: { medium: 0, high: 0, critical: 0 } };
  for (const rule of maskingRules(stream)) {
    let parent: Record<string, unknown> | undefined = copy;
    for (const segment of rule.segments.slice(0, -1)) {
      const next: unknown = parent?.[segment];
      parent = next && typeof next === 'object' ? (next as Record<string, unknown>) : undefined;
    }
    const field = rule.segments.at(-1) as string;
    if (!parent || !(field in parent) || parent[field] === null) continue;
    parent[field] = maskValue(parent[field], rule.privacy, keys);
    report.masked[rule.privacy]++;
  }
  return { value: copy as T, report };
}

/** A deep copy of decoded Avro values (plain objects, arrays, primitives), far cheaper than structuredClone. */
function clonePlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clonePlain);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  const out: Record<string, unknown> = {};
  // Own keys only: avsc's decoded records carry enumerable methods on their prototype.
  for (const key of Object.keys(value))
    out[key] = clonePlain((value as Record<string, unknown>)[key]);
  return out;
}
