import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, QueryError } from '../errors.js';
import { keyView, type KeyAdmin } from '../keys.js';

const CODE = /^[A-Za-z0-9_.:/+-]{1,128}$/;

/**
 * Platform administration (the platform_admin role), API keys in the tenants topic that
 * every gateway follows (docs/operations.md § Tenants and keys):
 * - POST /api/v1/admin/keys {tenant_id, source, consent_policy?} → 201, the key shown once;
 * - GET /api/v1/admin/keys[?tenant_id=] → the keys, never a key or its hash;
 * - DELETE /api/v1/admin/keys/:id → refused by every gateway within seconds;
 * - POST /api/v1/admin/keys/:id/rotate {overlap_seconds?} → 201, a new key; the old one is
 *   refused after the overlap (default a day).
 * - PUT /api/v1/admin/tenants/:id {transcript_mode: drop | redact} → the tenant's policy,
 *   which every enrich instance follows; GET /api/v1/admin/tenants → the tenants' policies.
 * Every change is recorded in admin_audit (who, what, when), never a key.
 */
export function adminRoute(deps: {
  authenticate: Authenticate;
  keys: KeyAdmin | undefined;
}): Router {
  const router = Router();
  const platform = async (req: Request): Promise<{ viewer: Viewer; keys: KeyAdmin }> => {
    const viewer = await deps.authenticate(req.headers.authorization);
    if (viewer.role !== 'platform_admin')
      throw forbidden('platform administration is for the platform_admin role only');
    if (!deps.keys)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'API keys need Kafka: the query service runs without KAFKA_BROKERS',
      );
    return { viewer, keys: deps.keys };
  };
  const by = (v: Viewer) => v.subject || 'platform_admin';
  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      void fn(req, res).catch((err: unknown) =>
        next(
          err instanceof QueryError || !(err instanceof Error)
            ? err
            : new QueryError('UNAVAILABLE', 503, 'the tenants topic cannot be reached; try again', {
                cause: err,
              }),
        ),
      );
    };
  const body = (req: Request, allowed: string[]): Record<string, unknown> => {
    const b: unknown = req.body ?? {};
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw badInput('the body must be a JSON object');
    for (const key of Object.keys(b))
      if (!allowed.includes(key))
        throw badInput(`${key}: not a field here (${allowed.join(', ')})`);
    return b as Record<string, unknown>;
  };

  router.post(
    '/api/v1/admin/keys',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const b = body(req, ['tenant_id', 'source', 'consent_policy']);
      for (const field of ['tenant_id', 'source'])
        if (typeof b[field] !== 'string' || !CODE.test(b[field]))
          throw badInput(
            `${field}: required, a code (letters, digits and _ . : / + -, at most 128)`,
          );
      const policy = b.consent_policy;
      if (policy !== undefined && policy !== 'anonymize' && policy !== 'drop')
        throw badInput('consent_policy: anonymize or drop');
      const { key, record } = await keys.create({
        tenantId: b.tenant_id as string,
        source: b.source as string,
        ...(policy ? { consentPolicy: policy } : {}),
        by: by(viewer),
      });
      res.status(201).json({ ...keyView(record), key });
    }),
  );
  router.get(
    '/api/v1/admin/keys',
    handle(async (req, res) => {
      const { keys } = await platform(req);
      const tenant = req.query.tenant_id;
      if (tenant !== undefined && typeof tenant !== 'string')
        throw badInput('tenant_id: one value');
      res.status(200).json({ keys: (await keys.list(tenant)).map(keyView) });
    }),
  );
  router.delete(
    '/api/v1/admin/keys/:id',
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const revoked = await keys.revoke(String(req.params.id), by(viewer));
      if (!revoked) throw new QueryError('NOT_FOUND', 404, `no API key ${String(req.params.id)}`);
      res.status(200).json(keyView(revoked));
    }),
  );
  router.post(
    '/api/v1/admin/keys/:id/rotate',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const b = body(req, ['overlap_seconds']);
      const overlap = b.overlap_seconds ?? 86_400;
      if (
        typeof overlap !== 'number' ||
        !Number.isInteger(overlap) ||
        overlap < 0 ||
        overlap > 30 * 86_400
      )
        throw badInput('overlap_seconds: a whole number of seconds, 0 to 2592000 (30 days)');
      const rotated = await keys.rotate(String(req.params.id), overlap, by(viewer));
      if (!rotated) throw new QueryError('NOT_FOUND', 404, `no API key ${String(req.params.id)}`);
      res
        .status(201)
        .json({ ...keyView(rotated.record), key: rotated.key, replaces: keyView(rotated.old) });
    }),
  );
  tenantRoutes(router, { platform, handle, body, by });
  return router;
}

type Helpers = {
  platform: (req: Request) => Promise<{ viewer: Viewer; keys: KeyAdmin }>;
  handle: (
    fn: (req: Request, res: Response) => Promise<void>,
  ) => (req: Request, res: Response, next: NextFunction) => void;
  body: (req: Request, allowed: string[]) => Record<string, unknown>;
  by: (v: Viewer) => string;
};

/** A tenant's policies: PUT /api/v1/admin/tenants/:id, GET /api/v1/admin/tenants. */
function tenantRoutes(router: Router, { platform, handle, body, by }: Helpers): void {
  router.put(
    '/api/v1/admin/tenants/:id',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const id = String(req.params.id);
      if (!CODE.test(id)) throw badInput('id: a tenant id (a code)');
      const b = body(req, ['transcript_mode']);
      if (b.transcript_mode !== 'drop' && b.transcript_mode !== 'redact')
        throw badInput('transcript_mode: drop or redact');
      res.status(200).json(await keys.setTenant(id, b.transcript_mode, by(viewer)));
    }),
  );
  router.get(
    '/api/v1/admin/tenants',
    handle(async (req, res) => {
      const { keys } = await platform(req);
      res.status(200).json({ tenants: await keys.tenants() });
    }),
  );
}
