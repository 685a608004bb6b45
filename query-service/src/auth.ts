import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { forbidden, unauthenticated } from './errors.js';

/**
 * viewer and admin belong to a tenant (the token's `tenant_id`); platform_admin runs the
 * platform (tenants, API keys: /api/v1/admin/*) and reads no tenant's data.
 */
export type Role = 'viewer' | 'admin' | 'platform_admin';

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
    if (role !== 'viewer' && role !== 'admin' && role !== 'platform_admin')
      throw unauthenticated('invalid token: role must be viewer, admin or platform_admin');
    return { tenantId, role, subject: typeof payload.sub === 'string' ? payload.sub : '' };
  };
}

/** For the tenant's endpoints: a platform administrator's token reads no tenant's data. */
export function tenantOnly(authenticate: Authenticate): Authenticate {
  return async (authorization) => {
    const viewer = await authenticate(authorization);
    if (viewer.role === 'platform_admin')
      throw forbidden('a platform_admin token is for /api/v1/admin only; use a tenant token');
    return viewer;
  };
}
