import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { memoize } from '@backbone/runtime';

/**
 * The cryptography of subject keys (docs/privacy.md#erasure): each person an event is about
 * (a subject: a tenant's user id or anonymous id) has a random 256-bit key of their own. What
 * links events to them is derived from it; erasing them destroys it. Keys are stored wrapped
 * (AES-256-GCM) by a master key from configuration, so the `_subject_keys` topic alone
 * reveals nothing. Pure functions over `node:crypto`.
 */

/** The kinds of subject, as the client names them. */
export type SubjectKind = 'user' | 'anonymous';

/** The master keys: the current one wraps new keys; every one listed unwraps. */
export interface MasterKeys {
  current: string;
  keks: ReadonlyMap<string, Buffer>;
}

const KEK_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `id:secret[,id:secret…]`, the current key first (SUBJECT_MASTER_KEYS). A secret is at least
 * 16 characters; the key-encryption key is derived from it with HKDF-SHA-256.
 */
export function parseMasterKeys(spec: string | readonly string[]): MasterKeys {
  const entries = (typeof spec === 'string' ? spec.split(',') : spec)
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new Error('SUBJECT_MASTER_KEYS: at least one master key (id:secret)');
  const keks = new Map<string, Buffer>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (colon < 1 || !KEK_ID.test(id))
      throw new Error(
        'SUBJECT_MASTER_KEYS: each key is id:secret, the id 1-32 letters, digits, _ or -',
      );
    if (secret.length < 16)
      throw new Error(`SUBJECT_MASTER_KEYS: key ${id} needs at least 16 characters of secret`);
    if (keks.has(id)) throw new Error(`SUBJECT_MASTER_KEYS: key ${id} is listed twice`);
    keks.set(id, Buffer.from(hkdfSync('sha256', secret, 'backbone/subject-kek', '', 32)));
  }
  return { current: entries[0]!.slice(0, entries[0]!.indexOf(':')), keks };
}

/** A new subject key: 32 random bytes. */
export const newSubjectKey = (): Buffer => randomBytes(32);

/**
 * A subject key wrapped by the current master key, bound to its subject reference (the
 * reference is the AES-GCM associated data, so a wrapped key moved to another subject does not
 * unwrap): `<master id>.<base64url of iv | ciphertext | tag>`.
 */
export function wrapKey(key: Buffer, ref: string, master: MasterKeys): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.keks.get(master.current)!, iv);
  cipher.setAAD(Buffer.from(ref, 'utf8'));
  const body = Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  return `${master.current}.${body.toString('base64url')}`;
}

export class UnwrapError extends Error {}

/** The subject key inside `wrapped`; throws UnwrapError for an unknown master key or a forgery. */
export function unwrapKey(wrapped: string, ref: string, master: MasterKeys): Buffer {
  const dot = wrapped.indexOf('.');
  const kek = master.keks.get(wrapped.slice(0, dot));
  if (dot < 1 || !kek)
    throw new UnwrapError(
      `wrapped by master key ${JSON.stringify(wrapped.slice(0, Math.max(dot, 0)))}, which is not configured`,
    );
  const body = Buffer.from(wrapped.slice(dot + 1), 'base64url');
  if (body.length !== 12 + 32 + 16) throw new UnwrapError('a wrapped key of the wrong length');
  const decipher = createDecipheriv('aes-256-gcm', kek, body.subarray(0, 12));
  decipher.setAAD(Buffer.from(ref, 'utf8'));
  decipher.setAuthTag(body.subarray(44));
  try {
    return Buffer.concat([decipher.update(body.subarray(12, 44)), decipher.final()]);
  } catch {
    throw new UnwrapError('the wrapped key does not authenticate (another subject, or altered)');
  }
}

/** The master key id a wrapped key was wrapped with. */
export const wrappedBy = (wrapped: string): string => wrapped.slice(0, wrapped.indexOf('.'));

/** A tenant's key for subject references, derived from `secret` (enrich's TOKEN_KEY). */
export const refKey = (secret: string, tenant: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, 'backbone/subject-ref', `tenant:${tenant}`, 32));

/**
 * The subject reference: how a subject is found in `_subject_keys` and the erasure ledger,
 * never written to events.* or ClickHouse. HMAC-SHA-256 of kind and id under the tenant's
 * reference key, so it is stable across master key rotations.
 */
export function subjectRef(key: Buffer, kind: SubjectKind, id: string): string {
  return `s_${createHmac('sha256', key).update(`${kind}\0${id}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * Subject references from `secret`, memoized: each tenant's reference key is derived once,
 * and the same visitors come back event after event, so each reference is computed once.
 */
export function subjectRefs(
  secret: string,
): (tenant: string, kind: SubjectKind, id: string) => string {
  const keys = memoize((tenant: string) => refKey(secret, tenant), 1000);
  const refs = memoize((key: string) => {
    const [tenant, kind, id] = key.split('\0') as [string, SubjectKind, string];
    return subjectRef(keys(tenant), kind, id);
  }, 100_000);
  return (tenant, kind, id) => refs(`${tenant}\0${kind}\0${id}`);
}

/** The prefixes of tokens by what they stand for: class high `t_`, medium `h_` (as before). */
const TOKEN_PREFIX: Record<SubjectKind, string> = { user: 't_', anonymous: 'h_' };

/** The token a subject's id field gets in events.*: derived from its key alone. */
export function subjectToken(key: Buffer, kind: SubjectKind): string {
  return (
    TOKEN_PREFIX[kind] + createHmac('sha256', key).update(`id:${kind}`).digest('hex').slice(0, 32)
  );
}

/** A linked value (IP, order id) hashed with its subject's key: `h_` + 32 hex. */
export function subjectHash(key: Buffer, field: string, value: string): string {
  return `h_${createHmac('sha256', key).update(`${field}\0${value}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Marks free text encrypted with its subject's key, and says which of the event's ids names the subject. */
export const TEXT_PREFIX = 'enc:v1:';
const TEXT_KINDS: Record<string, SubjectKind> = { u: 'user', a: 'anonymous' };

const textKeys = new WeakMap<Buffer, Buffer>();
/** The key a subject's free text is encrypted with, derived from the subject's key. */
function textKey(key: Buffer): Buffer {
  let k = textKeys.get(key);
  if (!k)
    textKeys.set(key, (k = Buffer.from(hkdfSync('sha256', key, 'backbone/subject-text', '', 32))));
  return k;
}

/**
 * Free text that survives redaction, encrypted with a key derived from its subject's key
 * (AES-256-GCM; the event's tenant and id are the associated data, so a value moved to another
 * event does not decrypt): `enc:v1:<u|a>:<base64url of iv | ciphertext | tag>`, where `u` / `a`
 * says whether the event's user or anonymous token names the subject. Shredding the subject's
 * key leaves it unreadable for good (docs/privacy.md#erasure).
 */
export function encryptText(key: Buffer, kind: SubjectKind, aad: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', textKey(key), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([
    iv,
    cipher.update(text, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${TEXT_PREFIX}${kind === 'user' ? 'u' : 'a'}:${body.toString('base64url')}`;
}

/** Which of the event's ids names the subject of an encrypted text, or undefined when it is not one. */
export function encryptedTextKind(value: string): SubjectKind | undefined {
  if (!value.startsWith(TEXT_PREFIX) || value[TEXT_PREFIX.length + 1] !== ':') return undefined;
  return TEXT_KINDS[value[TEXT_PREFIX.length]!];
}

/** The clear text of `encryptText`'s value; throws UnwrapError when it does not authenticate. */
export function decryptText(key: Buffer, aad: string, value: string): string {
  const body = Buffer.from(value.slice(TEXT_PREFIX.length + 2), 'base64url');
  if (body.length < 12 + 16) throw new UnwrapError('an encrypted text too short to be one');
  const decipher = createDecipheriv('aes-256-gcm', textKey(key), body.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  try {
    return Buffer.concat([
      decipher.update(body.subarray(12, body.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new UnwrapError('the encrypted text does not authenticate (another key, or altered)');
  }
}

/** The associated data of an event's encrypted text: its tenant and event id. */
export const textAad = (tenant: string, eventId: string) => `${tenant}\0${eventId}`;
