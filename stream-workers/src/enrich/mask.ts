import { createHmac, hkdfSync } from 'node:crypto';
import { memoize } from '@backbone/runtime';
import {
  contractLeaves,
  parentAt,
  STREAM_SCHEMAS,
  walkPrivacy,
  type PrivacyClass,
  type StreamName,
  type SubjectLink,
} from '@backbone/schemas';
import { subjectHash, subjectToken, type SubjectKind } from '../subjects/crypto.js';

/**
 * Masking by privacy class and value contract (docs/privacy.md), driven by the attributes of
 * every schema field, so a new field is masked without code changes:
 * - the subject's ids (`subject: user | anonymous`): a token derived from the subject's own
 *   key alone (erasing the subject destroys the key, and with it every way to the person);
 * - values linked to the subject (`subject: linked`: IP, order id): hashed with that key
 *   (the user's, else the anonymous visitor's; an event without either: as below);
 * - other identifiers (session, segment, speaker ids): a tenant-scoped token,
 *   `h_` + 32 hex for class medium, `t_` + 32 hex otherwise; joins work, the value is gone;
 * - other medium fields: a keyed hash; other high fields: a token;
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
  /** How the field links to the event's subject (fields of class medium and above). */
  subject?: SubjectLink;
  /** The dotted path: what a linked value's hash is bound to. */
  path: string;
}

/** The subject keys of one event: its user's and its anonymous visitor's, when it has them. */
export type EventSubjects = Partial<Record<SubjectKind, Buffer>>;

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
    rules.set(segments.join('.'), {
      segments,
      action,
      subject: f.subject,
      path: segments.join('.'),
    });
  }
  for (const leaf of contractLeaves(stream, 'raw')) {
    if (leaf.contract !== 'identifier' || leaf.privacy === 'critical') continue;
    const known = rules.get(leaf.path);
    rules.set(leaf.path, {
      segments: leaf.segments,
      action: leaf.privacy === 'medium' ? 'hash' : 'token',
      subject: known?.subject,
      path: leaf.segments.join('.'),
    });
  }
  return [...rules.values()];
}, 16);

const REPORTED = { hash: 'medium', token: 'high', drop: 'critical' } as const;

/** A subject's token per key: computed once per subject met. */
const tokens: Record<SubjectKind, WeakMap<Buffer, string>> = {
  user: new WeakMap(),
  anonymous: new WeakMap(),
};
function tokenOf(key: Buffer, kind: SubjectKind): string {
  let token = tokens[kind].get(key);
  if (token === undefined) tokens[kind].set(key, (token = subjectToken(key, kind)));
  return token;
}

/** Linked values per subject key: a visitor's IP repeats event after event. */
const linked = new WeakMap<Buffer, Map<string, string>>();
function linkedHash(key: Buffer, path: string, text: string): string {
  let values = linked.get(key);
  if (!values) linked.set(key, (values = new Map<string, string>()));
  const at = `${path}\0${text}`;
  let hash = values.get(at);
  if (hash === undefined) {
    if (values.size >= 64) values.clear();
    values.set(at, (hash = subjectHash(key, path, text)));
  }
  return hash;
}

function maskValue(
  value: unknown,
  rule: Rule,
  keys: MaskKeys,
  tenant: string,
  subjects: EventSubjects,
): unknown {
  if (value === null || value === undefined) return value;
  if (rule.action === 'drop') return null;
  if (rule.subject === 'user' || rule.subject === 'anonymous') {
    // Without its key (the subject was erased) nothing may stand for the subject.
    const key = subjects[rule.subject];
    return key ? tokenOf(key, rule.subject) : null;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const owner = rule.subject === 'linked' ? (subjects.user ?? subjects.anonymous) : undefined;
  if (owner) return linkedHash(owner, rule.path, text);
  return rule.action === 'hash' ? pseudonymize(text, keys, tenant) : tokenize(text, keys, tenant);
}

/** A masked copy of a stream value; the input is left as it was. */
export function maskEvent<T extends { envelope: { tenant_id: string } }>(
  stream: StreamName,
  value: T,
  keys: MaskKeys,
  subjects: EventSubjects = {},
): { value: T; report: MaskReport } {
  const copy = clonePlain(value) as T;
  const tenant = value.envelope.tenant_id;
  const report: MaskReport = { masked: { medium: 0, high: 0, critical: 0 } };
  for (const rule of maskingRules(stream)) {
    const parent = parentAt(copy, rule.segments);
    const field = rule.segments.at(-1) as string;
    if (!parent || !(field in parent) || parent[field] === null) continue;
    parent[field] = maskValue(parent[field], rule, keys, tenant, subjects);
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
