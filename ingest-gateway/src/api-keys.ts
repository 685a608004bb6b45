import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ConsentPolicy } from './consent.js';

/** An API key as stored: only its hash, never the key. */
export interface ApiKeyRecord {
  id: string;
  hash: string;
  tenant_id: string;
  source: string;
  created_at: string;
  consent_policy?: ConsentPolicy;
  /** Requests per minute for this key; the gateway's RATE_LIMIT_PER_MINUTE when absent. */
  rate_limit_per_minute?: number;
  /**
   * Requests with this key must be signed with this secret (X-Signature, HMAC-SHA256 over
   * time and body; ingest-gateway/README.md § Signed requests). Unlike the key it is kept as
   * is: the gateway needs it to check signatures. It never travels with a request.
   */
  signing_secret?: string;
}

/** A new key: a prefix that says what it is, then 32 random bytes. */
export function generateApiKey(): string {
  return `bbk_${randomBytes(32).toString('base64url')}`;
}

/** Keys are random and long, so an unsalted SHA-256 is enough to store them safely. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Looks keys up by hash; the file is read once at start-up. */
export class ApiKeyStore {
  private readonly byHash: Map<string, ApiKeyRecord>;

  constructor(records: ApiKeyRecord[]) {
    this.byHash = new Map(records.map((r) => [r.hash, r]));
  }

  /** The keys of a file (none: no file, a missing one or an empty one); a bad one is an error naming it. */
  static fromFile(file: string): ApiKeyStore {
    const text = file && existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (!text.trim()) return new ApiKeyStore([]);
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch (err) {
      throw new Error(`API_KEYS_FILE ${file} is not JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!Array.isArray(records))
      throw new Error(`API_KEYS_FILE ${file} must hold a JSON array of key records`);
    return new ApiKeyStore(records as ApiKeyRecord[]);
  }

  get size(): number {
    return this.byHash.size;
  }

  find(key: string | undefined): ApiKeyRecord | undefined {
    return key ? this.byHash.get(hashApiKey(key)) : undefined;
  }
}

/** Creates a key for a tenant's source, appends its hash to the file, and returns the key once. */
export function createApiKey(
  file: string,
  options: { tenantId: string; source: string; consentPolicy?: ConsentPolicy; signed?: boolean },
): { key: string; record: ApiKeyRecord; signingSecret?: string } {
  const records = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as ApiKeyRecord[])
    : [];
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: `key_${randomBytes(6).toString('hex')}`,
    hash: hashApiKey(key),
    tenant_id: options.tenantId,
    source: options.source,
    created_at: new Date().toISOString(),
    ...(options.consentPolicy ? { consent_policy: options.consentPolicy } : {}),
    ...(options.signed ? { signing_secret: `bbs_${randomBytes(32).toString('base64url')}` } : {}),
  };
  writeFileSync(file, `${JSON.stringify([...records, record], null, 2)}\n`, { mode: 0o600 });
  return {
    key,
    record,
    ...(record.signing_secret ? { signingSecret: record.signing_secret } : {}),
  };
}
