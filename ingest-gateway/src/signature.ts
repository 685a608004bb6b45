import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How far a signature's time may be from the gateway's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

const HEADER = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/** The signature of a body at a time: HMAC-SHA256 of `<unix seconds>.<body>` under the secret, hex. */
export function signBody(secret: string, unixSeconds: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
}

/**
 * The signing secret of a key made through the admin API: derived from the platform's
 * SIGNING_SECRET_KEY and the key's id, so no secret is stored in the tenants topic. The API
 * shows it once; every gateway with the same SIGNING_SECRET_KEY derives it again.
 */
export function derivedSigningSecret(master: string, keyId: string): string {
  return `bbs_${createHmac('sha256', master).update(`key-signing\0${keyId}`).digest('base64url')}`;
}

/** The `X-Signature` header for a body: `t=<unix seconds>,v1=<hex>`. */
export const signatureHeader = (secret: string, unixSeconds: number, body: Buffer | string) =>
  `t=${unixSeconds},v1=${signBody(secret, unixSeconds, body)}`;

/** Signatures already used, within the window: a signature is good once. */
export interface SeenSignatures {
  /** True the first time a signature is offered, false when it was offered before. */
  first(keyId: string, signature: string, ttlSeconds: number): Promise<boolean>;
}

export class RedisSeenSignatures implements SeenSignatures {
  constructor(private readonly redis: Redis) {}

  async first(keyId: string, signature: string, ttlSeconds: number): Promise<boolean> {
    return (
      (await this.redis.set(`gateway-sig:${keyId}:${signature}`, '1', 'EX', ttlSeconds, 'NX')) ===
      'OK'
    );
  }
}

/** One instance's memory: entries leave when their window is over. */
export class MemorySeenSignatures implements SeenSignatures {
  private readonly seen = new Map<string, number>();

  first(keyId: string, signature: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    for (const [k, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(k);
    }
    const name = `${keyId}:${signature}`;
    if ((this.seen.get(name) ?? 0) > now) return Promise.resolve(false);
    this.seen.set(name, now + ttlSeconds * 1000);
    return Promise.resolve(true);
  }
}

/**
 * Checks a signed request: the header's form, its time within the window, the HMAC over
 * time and body (compared in constant time), and that it was not used before. The reason
 * when refused; undefined when good. Reasons never echo the header or the body.
 */
export async function signatureProblem(o: {
  header: string | undefined;
  body: Buffer;
  secret: string;
  keyId: string;
  nowSeconds: number;
  seen: SeenSignatures;
}): Promise<string | undefined> {
  if (o.header === undefined)
    return 'This API key signs its requests: X-Signature (t=<unix seconds>,v1=<HMAC-SHA256 hex>) is missing';
  const m = HEADER.exec(o.header.trim());
  if (!m) return 'X-Signature must be t=<unix seconds>,v1=<64 hex digits>';
  const t = Number(m[1]);
  if (Math.abs(o.nowSeconds - t) > SIGNATURE_WINDOW_SECONDS)
    return `The signature's time is more than ${SIGNATURE_WINDOW_SECONDS / 60} minutes from the gateway's clock`;
  const expected = Buffer.from(signBody(o.secret, t, o.body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, 'hex')))
    return 'The signature does not match the body and time (HMAC-SHA256 of "<t>.<body>" with the signing secret)';
  // Kept past the window's far edge, so it cannot come back while its time is still accepted.
  if (!(await o.seen.first(o.keyId, m[2]!, 2 * SIGNATURE_WINDOW_SECONDS + 60)))
    return 'This signature was used before: sign each request anew';
  return undefined;
}
