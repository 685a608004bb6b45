import express, { Router, type Request } from 'express';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, notFound, QueryError } from '../errors.js';
import { keyView, type KeyAdmin } from '../keys.js';
import { handler, jsonObject } from './json-route.js';
import {
  keySettings,
  overlapSeconds,
  shownOnce,
  signedFlag,
  tenantSettings,
} from './admin.route.js';

/**
 * A tenant admin's own settings, the platform API scoped to the token's tenant (the
 * dashboard's settings page uses it; docs/operations.md § Tenants and keys):
 * - GET /api/v1/tenant → the tenant's record (policies; `{id}` alone when it has none);
 * - PATCH /api/v1/tenant {transcript_mode?, retention_days?} → its policies (not its status:
 *   disabling is the platform's);
 * - GET /api/v1/tenant/keys, POST {source, consent_policy?} (the key shown once),
 *   DELETE /api/v1/tenant/keys/:id, POST /api/v1/tenant/keys/:id/rotate {overlap_seconds?}.
 * Another tenant's key is a 404, as if it did not exist. Rate limits stay the platform's.
 */
export function tenantSettingsRoute(deps: {
  authenticate: Authenticate;
  keys: KeyAdmin | undefined;
}) {
  const router = Router();
  const handle = handler('the tenants topic cannot be reached; try again');
  const admin = async (req: Request): Promise<{ viewer: Viewer; keys: KeyAdmin }> => {
    const viewer = await deps.authenticate(req.headers.authorization);
    if (viewer.role !== 'admin') throw forbidden('settings are for the admin role');
    if (!deps.keys)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'settings need Kafka: the query service runs without KAFKA_BROKERS',
      );
    return { viewer, keys: deps.keys };
  };
  const by = (v: Viewer) => v.subject || `admin@${v.tenantId}`;
  const ownKey = async (keys: KeyAdmin, viewer: Viewer, id: string) => {
    const found = (await keys.list(viewer.tenantId)).find((k) => k.id === id);
    if (!found) throw notFound(`no API key ${id}`);
    return found;
  };

  router.get(
    '/api/v1/tenant',
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      const record = (await keys.tenants()).find((t) => t.id === viewer.tenantId);
      res.status(200).json(record ?? { id: viewer.tenantId });
    }),
  );
  router.patch(
    '/api/v1/tenant',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      const change = tenantSettings(jsonObject(req, ['transcript_mode', 'retention_days']));
      if (Object.keys(change).length === 0)
        throw badInput('(body): nothing to change (transcript_mode, retention_days)');
      const id = viewer.tenantId;
      const exists = (await keys.tenants()).some((t) => t.id === id);
      const updated = exists
        ? await keys.updateTenant(id, change, by(viewer))
        : await keys.createTenant(id, change, by(viewer));
      res.status(200).json(updated);
    }),
  );
  router.get(
    '/api/v1/tenant/keys',
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      res.status(200).json({ keys: (await keys.list(viewer.tenantId)).map(keyView) });
    }),
  );
  router.post(
    '/api/v1/tenant/keys',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      const b = jsonObject(req, ['source', 'consent_policy', 'signed']);
      if (typeof b.source !== 'string' || !/^[A-Za-z0-9_.:/+-]{1,128}$/.test(b.source))
        throw badInput('source: required, a code (letters, digits and _ . : / + -, at most 128)');
      const settings = keySettings(b);
      const made = await keys.create({
        tenantId: viewer.tenantId,
        source: b.source,
        ...(settings.consent_policy ? { consentPolicy: settings.consent_policy } : {}),
        ...(signedFlag(b) ? { signed: true } : {}),
        by: by(viewer),
      });
      res.status(201).json(shownOnce(made));
    }),
  );
  router.delete(
    '/api/v1/tenant/keys/:id',
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      const key = await ownKey(keys, viewer, String(req.params.id));
      res.status(200).json(keyView((await keys.revoke(key.id, by(viewer)))!));
    }),
  );
  router.post(
    '/api/v1/tenant/keys/:id/rotate',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, keys } = await admin(req);
      const key = await ownKey(keys, viewer, String(req.params.id));
      const overlap = overlapSeconds(jsonObject(req, ['overlap_seconds']));
      const rotated = (await keys.rotate(key.id, overlap, by(viewer)))!;
      res.status(201).json({ ...shownOnce(rotated), replaces: keyView(rotated.old) });
    }),
  );
  return router;
}
