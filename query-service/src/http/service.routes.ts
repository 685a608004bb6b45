import { randomUUID } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import {
  healthReport,
  readiness,
  readyStatusCode,
  registerReadinessMetric,
  type Check,
} from '@backbone/runtime';

/** A request id on every answer and log line: the caller's X-Request-Id, or a new one. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  next();
};

/** /health (the process answers), /ready (the checks, with their budgets) and /metrics. */
export function serviceRoutes(checks: Check[], registry: Registry): Router {
  registerReadinessMetric(registry, checks);
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json(healthReport());
  });
  router.get('/ready', (_req, res) => {
    void readiness(checks).then((report) => res.status(readyStatusCode(report)).json(report));
  });
  router.get('/metrics', (_req, res) => {
    void registry.metrics().then((text) => res.type(registry.contentType).send(text));
  });
  return router;
}

/** The dashboard's built files; any other GET that is not the API is the app itself. */
export function dashboardRoutes(dir: string): Router {
  const router = Router();
  router.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
  router.get(/^\/(?!api\/|graphql|health|ready|metrics).*/, (_req, res) => {
    res.sendFile('index.html', { root: dir });
  });
  return router;
}
