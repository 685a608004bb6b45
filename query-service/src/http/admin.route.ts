import express, { Router, type Request } from 'express';
import { handler, jsonObject } from './json-route.js';
import { RETENTION_BOUNDS, RETENTION_CLASSES } from '@backbone/warehouse';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, notFound, QueryError } from '../errors.js';
import {
  keyView,
  type KeyAdmin,
  type KeyChange,
  type KeyView,
  type TenantChange,
} from '../keys.js';
import type { KeyRecord } from '@backbone/ingest-gateway';

const CODE = /^[A-Za-z0-9_.:/+-]{1,128}$/;

/**
 * Platform administration (the platform_admin role): tenants and API keys in the tenants
 * topic that every gateway and enrich instance follows (docs/operations.md § Tenants and keys):
 * - POST /api/v1/admin/keys {tenant_id, source, consent_policy?, rate_limit_per_minute?} →
 *   201, the key shown once (409 for a disabled tenant);
 * - GET /api/v1/admin/keys[?tenant_id=] → the keys, never a key or its hash;
 * - PATCH /api/v1/admin/keys/:id {consent_policy?, rate_limit_per_minute?} → the key's settings;
 * - DELETE /api/v1/admin/keys/:id → refused by every gateway within seconds;
 * - POST /api/v1/admin/keys/:id/rotate {overlap_seconds?} → 201, a new key; the old one is
 *   refused after the overlap (default a day).
 * - POST /api/v1/admin/tenants {id, name?, transcript_mode?, retention_days?} → 201 (409 when
 *   it exists); PATCH /api/v1/admin/tenants/:id {name?, status?, transcript_mode?,
 *   retention_days?}; POST …/:id/disable and …/:id/enable; GET /api/v1/admin/tenants.
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
  const handle = handler('the tenants topic cannot be reached; try again');
  const body = jsonObject;

  router.post(
    '/api/v1/admin/keys',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const b = body(req, ['tenant_id', 'source', 'signed', ...KEY_SETTINGS]);
      for (const field of ['tenant_id', 'source'])
        if (typeof b[field] !== 'string' || !CODE.test(b[field]))
          throw badInput(
            `${field}: required, a code (letters, digits and _ . : / + -, at most 128)`,
          );
      const settings = keySettings(b);
      const made = await keys.create({
        tenantId: b.tenant_id as string,
        source: b.source as string,
        ...(settings.consent_policy ? { consentPolicy: settings.consent_policy } : {}),
        ...(settings.rate_limit_per_minute
          ? { rateLimitPerMinute: settings.rate_limit_per_minute }
          : {}),
        ...(signedFlag(b) ? { signed: true } : {}),
        by: by(viewer),
      });
      res.status(201).json(shownOnce(made));
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
  router.patch(
    '/api/v1/admin/keys/:id',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const change = keySettings(body(req, KEY_SETTINGS));
      if (Object.keys(change).length === 0)
        throw badInput(`(body): nothing to change (${KEY_SETTINGS.join(', ')})`);
      const updated = await keys.update(String(req.params.id), change, by(viewer));
      if (!updated) throw notFound(`no API key ${String(req.params.id)}`);
      res.status(200).json(keyView(updated));
    }),
  );
  router.delete(
    '/api/v1/admin/keys/:id',
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const revoked = await keys.revoke(String(req.params.id), by(viewer));
      if (!revoked) throw notFound(`no API key ${String(req.params.id)}`);
      res.status(200).json(keyView(revoked));
    }),
  );
  router.post(
    '/api/v1/admin/keys/:id/rotate',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const b = body(req, ['overlap_seconds']);
      const rotated = await keys.rotate(String(req.params.id), overlapSeconds(b), by(viewer));
      if (!rotated) throw notFound(`no API key ${String(req.params.id)}`);
      res.status(201).json({ ...shownOnce(rotated), replaces: keyView(rotated.old) });
    }),
  );
  tenantRoutes(router, { platform, handle, body, by });
  return router;
}

type Helpers = {
  platform: (req: Request) => Promise<{ viewer: Viewer; keys: KeyAdmin }>;
  handle: ReturnType<typeof handler>;
  body: typeof jsonObject;
  by: (v: Viewer) => string;
};

const KEY_SETTINGS = ['consent_policy', 'rate_limit_per_minute'];

/** `signed` from a body: whether the key's requests must carry X-Signature. */
export function signedFlag(b: Record<string, unknown>): boolean {
  if (b.signed !== undefined && typeof b.signed !== 'boolean')
    throw badInput('signed: true or false');
  return b.signed === true;
}

/** A new key as answered once: the key, and its signing secret when it signs. */
export const shownOnce = (m: {
  key: string;
  record: KeyRecord;
  signingSecret?: string;
}): KeyView & { key: string; signing_secret?: string } => ({
  ...keyView(m.record),
  key: m.key,
  ...(m.signingSecret ? { signing_secret: m.signingSecret } : {}),
});

/** A rotation's overlap from a body: a day unless given. */
export function overlapSeconds(b: Record<string, unknown>): number {
  const overlap = b.overlap_seconds ?? 86_400;
  if (
    typeof overlap !== 'number' ||
    !Number.isInteger(overlap) ||
    overlap < 0 ||
    overlap > 30 * 86_400
  )
    throw badInput('overlap_seconds: a whole number of seconds, 0 to 2592000 (30 days)');
  return overlap;
}

/** A key's settings from a body, checked. */
export function keySettings(b: Record<string, unknown>): KeyChange {
  const change: KeyChange = {};
  const policy = b.consent_policy;
  if (policy !== undefined) {
    if (policy !== 'anonymize' && policy !== 'drop')
      throw badInput('consent_policy: anonymize or drop');
    change.consent_policy = policy;
  }
  const limit = b.rate_limit_per_minute;
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1_000_000)
      throw badInput('rate_limit_per_minute: a whole number from 1 to 1000000');
    change.rate_limit_per_minute = limit;
  }
  return change;
}

const TENANT_FIELDS = ['name', 'status', 'transcript_mode', 'retention_days'];
const RETENTION_DAYS = RETENTION_BOUNDS;

/** A tenant's settings from a body, checked; every problem names its field. */
export function tenantSettings(b: Record<string, unknown>): TenantChange {
  const change: TenantChange = {};
  if (b.name !== undefined) {
    if (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > 200)
      throw badInput('name: a string of 1 to 200 characters');
    change.name = b.name;
  }
  if (b.status !== undefined) {
    if (b.status !== 'active' && b.status !== 'disabled')
      throw badInput('status: active or disabled');
    change.status = b.status;
  }
  if (b.transcript_mode !== undefined) {
    if (b.transcript_mode !== 'drop' && b.transcript_mode !== 'redact')
      throw badInput('transcript_mode: drop or redact');
    change.transcript_mode = b.transcript_mode;
  }
  const r = b.retention_days;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw badInput(`retention_days: an object of ${Object.keys(RETENTION_CLASSES).join(', ')}`);
    const days: Record<string, number> = {};
    for (const [cls, v] of Object.entries(r)) {
      if (!Object.hasOwn(RETENTION_CLASSES, cls))
        throw badInput(
          `retention_days.${cls}: not a privacy class (${Object.keys(RETENTION_CLASSES).join(', ')})`,
        );
      if (
        typeof v !== 'number' ||
        !Number.isInteger(v) ||
        v < RETENTION_DAYS.min ||
        v > RETENTION_DAYS.max
      )
        throw badInput(
          `retention_days.${cls}: a whole number of days from ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max}`,
        );
      days[cls] = v;
    }
    change.retention_days = days;
  }
  return change;
}

/** Tenants: create, change, disable and enable, list. */
function tenantRoutes(router: Router, { platform, handle, body, by }: Helpers): void {
  const tenantId = (req: Request) => {
    const id = String(req.params.id);
    if (!CODE.test(id)) throw badInput('id: a tenant id (a code)');
    return id;
  };
  router.post(
    '/api/v1/admin/tenants',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const b = body(req, ['id', ...TENANT_FIELDS]);
      if (typeof b.id !== 'string' || !CODE.test(b.id))
        throw badInput('id: required, a code (letters, digits and _ . : / + -, at most 128)');
      res.status(201).json(await keys.createTenant(b.id, tenantSettings(b), by(viewer)));
    }),
  );
  router.patch(
    '/api/v1/admin/tenants/:id',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await platform(req);
      const id = tenantId(req);
      const change = tenantSettings(body(req, TENANT_FIELDS));
      if (Object.keys(change).length === 0)
        throw badInput(`(body): nothing to change (${TENANT_FIELDS.join(', ')})`);
      const updated = await keys.updateTenant(id, change, by(viewer));
      if (!updated) throw notFound(`no tenant ${id}; create it with POST /api/v1/admin/tenants`);
      res.status(200).json(updated);
    }),
  );
  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const)
    router.post(
      `/api/v1/admin/tenants/:id/${action}`,
      handle(async (req, res) => {
        const { viewer, keys } = await platform(req);
        const id = tenantId(req);
        const updated = await keys.updateTenant(id, { status }, by(viewer));
        if (!updated) throw notFound(`no tenant ${id}`);
        res.status(200).json(updated);
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
