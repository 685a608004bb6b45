import express, { Router, type Request } from 'express';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, notFound, QueryError } from '../errors.js';
import {
  ALERT_FIELDS,
  AlertInputError,
  alertSettings,
  webhookSecret,
  type AlertMetric,
  type AlertRecord,
  type AlertSettings,
} from '../alerts/rules.js';
import type { AlertStore } from '../alerts/store.js';
import { handler, jsonObject } from './json-route.js';

/** What the alerts API needs; without it (no Kafka or no ALERT_SIGNING_KEY) it answers 503. */
export interface AlertsApi {
  store: AlertStore;
  signingKey: string;
  /** http:// webhooks too (local use); https only otherwise. */
  allowHttp: boolean;
}

const view = ({ kind: _kind, ...rest }: AlertRecord) => rest;
const REQUIRED = ['name', 'metric', 'threshold', 'window_minutes', 'webhook_url'] as const;

/**
 * A tenant's alerts (docs/alerts.md), scoped to the token's tenant: every role lists them,
 * the admin role changes them.
 * - GET /api/v1/alerts, GET /api/v1/alerts/:id;
 * - POST /api/v1/alerts {name, metric, threshold, window_minutes, webhook_url, enabled?} →
 *   201 with `webhook_secret`, shown once (it signs every delivery);
 * - PATCH /api/v1/alerts/:id {any of those}; DELETE /api/v1/alerts/:id → 204;
 * - POST /api/v1/alerts/:id/rotate-secret → a new `webhook_secret`, the old one stops at once.
 * Every change is recorded in admin_audit (the webhook's host, never its path or secret).
 */
export function alertsRoute(deps: { authenticate: Authenticate; alerts: AlertsApi | undefined }) {
  const router = Router();
  const handle = handler('the tenants topic cannot be reached; try again');
  const who = async (
    req: Request,
    change: boolean,
  ): Promise<{ viewer: Viewer; api: AlertsApi }> => {
    const viewer = await deps.authenticate(req.headers.authorization);
    if (change && viewer.role !== 'admin') throw forbidden('changing alerts is for the admin role');
    if (!deps.alerts)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'alerts need KAFKA_BROKERS and ALERT_SIGNING_KEY on the query service',
      );
    return { viewer, api: deps.alerts };
  };
  const by = (v: Viewer) => v.subject || `${v.role}@${v.tenantId}`;
  const settings = (body: Record<string, unknown>, api: AlertsApi, metric?: AlertMetric) => {
    try {
      return alertSettings(body, { allowHttp: api.allowHttp, ...(metric ? { metric } : {}) });
    } catch (err) {
      throw err instanceof AlertInputError ? badInput(err.message) : err;
    }
  };
  const withSecret = (api: AlertsApi, r: AlertRecord) => ({
    ...view(r),
    webhook_secret: webhookSecret(api.signingKey, r),
  });

  router.get(
    '/api/v1/alerts',
    handle(async (req, res) => {
      const { viewer, api } = await who(req, false);
      res.status(200).json({ alerts: (await api.store.list(viewer.tenantId)).map(view) });
    }),
  );
  router.get(
    '/api/v1/alerts/:id',
    handle(async (req, res) => {
      const { viewer, api } = await who(req, false);
      const found = await api.store.get(viewer.tenantId, String(req.params.id));
      if (!found) throw notFound(`no alert ${String(req.params.id)}`);
      res.status(200).json(view(found));
    }),
  );
  router.post(
    '/api/v1/alerts',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, api } = await who(req, true);
      const s = settings(jsonObject(req, ALERT_FIELDS), api);
      for (const field of REQUIRED)
        if (s[field] === undefined) throw badInput(`${field}: required`);
      const full = { enabled: true, ...s } as Required<AlertSettings>;
      res
        .status(201)
        .json(withSecret(api, await api.store.create(viewer.tenantId, full, by(viewer))));
    }),
  );
  router.patch(
    '/api/v1/alerts/:id',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const { viewer, api } = await who(req, true);
      const id = String(req.params.id);
      const old = await api.store.get(viewer.tenantId, id);
      if (!old) throw notFound(`no alert ${id}`);
      const change = settings(jsonObject(req, ALERT_FIELDS), api, old.metric);
      // A new metric must still suit the threshold the alert keeps.
      if (change.metric && change.threshold === undefined)
        settings({ threshold: old.threshold }, api, change.metric);
      if (Object.keys(change).length === 0)
        throw badInput(`(body): nothing to change (${ALERT_FIELDS.join(', ')})`);
      const updated = await api.store.update(viewer.tenantId, id, change, by(viewer));
      if (!updated) throw notFound(`no alert ${id}`);
      res.status(200).json(view(updated));
    }),
  );
  router.delete(
    '/api/v1/alerts/:id',
    handle(async (req, res) => {
      const { viewer, api } = await who(req, true);
      if (!(await api.store.remove(viewer.tenantId, String(req.params.id), by(viewer))))
        throw notFound(`no alert ${String(req.params.id)}`);
      res.status(204).end();
    }),
  );
  router.post(
    '/api/v1/alerts/:id/rotate-secret',
    handle(async (req, res) => {
      const { viewer, api } = await who(req, true);
      const id = String(req.params.id);
      const old = await api.store.get(viewer.tenantId, id);
      if (!old) throw notFound(`no alert ${id}`);
      const next = await api.store.update(
        viewer.tenantId,
        id,
        { secret_version: old.secret_version + 1 },
        by(viewer),
      );
      if (!next) throw notFound(`no alert ${id}`);
      res.status(200).json(withSecret(api, next));
    }),
  );
  return router;
}
