import { createHmac, hkdfSync } from 'node:crypto';
import { memoize } from '@backbone/runtime';
import {
  contractLeaves,
  parentAt,
  STREAM_SCHEMAS,
  walkPrivacy,
  type PrivacyClass,
  type StreamName,
} from '@backbone/schemas';

/**
 * Masking by privacy class and value contract (docs/privacy.md), driven by the attributes of
 * every schema field, so a new field is masked without code changes:
 * - identifiers (session, segment, speaker, order ids, user ids): a tenant-scoped token,
 *   `h_` + 32 hex for class medium, `t_` + 32 hex otherwise; joins work, the value is gone;
 * - other medium fields (IP): a keyed hash; other high fields: a token;
 * - critical: dropped (null), unless a caller handles the field first (transcript redaction);
 * - none, low: kept.
 * The HMAC keys are derived per tenant from the secrets (HKDF-SHA-256), so equal inputs
 * under two tenants give unrelated tokens and tenants' data cannot be linked.
 */
export interface MaskKeys {
  /** Secret for medium fields (and IP hashes). */
  hashKey: string;
  /** Secret for identifiers and high fields; rotating it breaks joins on old tokens. */
  tokenKey: string;
}

export interface MaskReport {
  /** Fields changed, by what was done: hashed (medium), tokenized (high), dropped (critical). */
  masked: Record<Exclude<PrivacyClass, 'none' | 'low'>, number>;
}

type Kind = 'hash' | 'token';
const PREFIX: Record<Kind, string> = { hash: 'h_', token: 't_' };
type TenantMemos = Record<Kind, (value: string) => string>;

const derived = new WeakMap<MaskKeys, Map<string, TenantMemos>>();
const MAX_TENANTS = 1000;

/** A tenant's memoized hash and token functions, their HMAC keys derived with HKDF-SHA-256. */
function memosFor(keys: MaskKeys, tenant: string): TenantMemos {
  let tenants = derived.get(keys);
  if (!tenants) derived.set(keys, (tenants = new Map<string, TenantMemos>()));
  let memos = tenants.get(tenant);
  if (memos) return memos;
  const derive = (secret: string, purpose: string) =>
    Buffer.from(hkdfSync('sha256', secret, `backbone/${purpose}`, `tenant:${tenant}`, 32));
  const mac = (kind: Kind, key: Buffer) =>
    // The same visitor, IP or session is hashed once (HMAC setup dominates the cost).
    memoize(
      (value: string) =>
        PREFIX[kind] + createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 32),
      50_000,
    );
  memos = {
    hash: mac('hash', derive(keys.hashKey, 'hash')),
    token: mac('token', derive(keys.tokenKey, 'token')),
  };
  if (tenants.size >= MAX_TENANTS) tenants.delete(tenants.keys().next().value as string);
  tenants.set(tenant, memos);
  return memos;
}

/** A tenant's keyed hash of `value` (`h_` + 32 hex): class medium. */
export function pseudonymize(value: string, keys: MaskKeys, tenant: string): string {
  return memosFor(keys, tenant).hash(value);
}

/** A tenant's token for `value` (`t_` + 32 hex): identifiers and class high. */
export function tokenize(value: string, keys: MaskKeys, tenant: string): string {
  return memosFor(keys, tenant).token(value);
}

/** What a hash or token looks like: such a value is ours, never personal data. */
export const MASKED_VALUE = /^[ht]_[0-9a-f]{32}$/;

interface Rule {
  /** Path segments in the JS value; a union branch is a `{ '<full name>': … }` level. */
  segments: string[];
  action: 'hash' | 'token' | 'drop';
}

/** The masking rules of a stream: every field above `low`, and every identifier. */
export const maskingRules = memoize((stream: StreamName): Rule[] => {
  const schema = STREAM_SCHEMAS[stream];
  // walkPrivacy names a union branch by its short record name; values key it by full name.
  const branches = new Map<string, string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      const s = node as { type?: unknown; name?: string; fields?: { type: unknown }[] };
      if (s.type === 'record' && s.name) {
        branches.set(s.name.slice(s.name.lastIndexOf('.') + 1), s.name);
        s.fields?.forEach((f) => collect(f.type));
      } else if (s.type && typeof s.type === 'object') collect(s.type);
    }
  };
  collect(schema);
  const rules = new Map<string, Rule>();
  for (const f of walkPrivacy(schema).fields) {
    if (f.privacy === 'none' || f.privacy === 'low') continue;
    const segments = f.path
      .split('.')
      .map((seg, i, all) => (i > 0 && all[i - 1] === 'payload' ? (branches.get(seg) ?? seg) : seg));
    const action = f.privacy === 'critical' ? 'drop' : f.privacy === 'medium' ? 'hash' : 'token';
    rules.set(segments.join('.'), { segments, action });
  }
  for (const leaf of contractLeaves(stream, 'raw')) {
    if (leaf.contract !== 'identifier' || leaf.privacy === 'critical') continue;
    rules.set(leaf.path, {
      segments: leaf.segments,
      action: leaf.privacy === 'medium' ? 'hash' : 'token',
    });
  }
  return [...rules.values()];
}, 16);

const REPORTED = { hash: 'medium', token: 'high', drop: 'critical' } as const;

function maskValue(value: unknown, rule: Rule, keys: MaskKeys, tenant: string): unknown {
  if (value === null || value === undefined) return value;
  if (rule.action === 'drop') return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return rule.action === 'hash' ? pseudonymize(text, keys, tenant) : tokenize(text, keys, tenant);
}

/** A masked copy of a stream value; the input is left as it was. */
export function maskEvent<T extends { envelope: { tenant_id: string } }>(
  stream: StreamName,
  value: T,
  keys: MaskKeys,
): { value: T; report: MaskReport } {
  const copy = clonePlain(value) as T;
  const tenant = value.envelope.tenant_id;
  const report: MaskReport = { masked: { medium: 0, high: 0, critical: 0 } };
  for (const rule of maskingRules(stream)) {
    const parent = parentAt(copy, rule.segments);
    const field = rule.segments.at(-1) as string;
    if (!parent || !(field in parent) || parent[field] === null) continue;
    parent[field] = maskValue(parent[field], rule, keys, tenant);
    report.masked[REPORTED[rule.action]]++;
  }
  return { value: copy, report };
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
