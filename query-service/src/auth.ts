import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from './errors.js';

export type Role = 'viewer' | 'admin';

/** Who asks: every query is scoped to this tenant. */
export interface Viewer {
  tenantId: string;
  role: Role;
  subject: string;
}

export type Authenticate = (authorization: string | undefined) => Promise<Viewer>;

/**
 * Bearer JWTs: HS256 with a shared secret, or any JWKS-published key. The token must carry
 * `tenant_id` and `role` (viewer | admin); expiry, issuer and audience are checked by jose.
 */
export function jwtAuthenticator(options: {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}): Authenticate {
  const key: Uint8Array | JWTVerifyGetKey = options.secret
    ? new TextEncoder().encode(options.secret)
    : createRemoteJWKSet(new URL(options.jwksUrl as string));
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthenticated('missing bearer token (Authorization: Bearer <JWT>)');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        ...(options.secret ? { algorithms: ['HS256'] } : {}),
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      }));
    } catch (err) {
      throw unauthenticated(`invalid token: ${(err as { code?: string }).code ?? 'unreadable'}`);
    }
    const tenantId = payload.tenant_id;
    const role = payload.role;
    if (typeof tenantId !== 'string' || tenantId === '')
      throw unauthenticated('invalid token: no tenant_id claim');
    if (role !== 'viewer' && role !== 'admin')
      throw unauthenticated('invalid token: role must be viewer or admin');
    return { tenantId, role, subject: typeof payload.sub === 'string' ? payload.sub : '' };
  };
}
