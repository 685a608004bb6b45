import { pipeline } from 'node:stream/promises';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { ErasureInputError, newErasureRequest, type ErasureRequest } from '@backbone/warehouse';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, QueryError } from '../errors.js';
import { EXPORT_STREAMS, type SubjectRequests } from '../subjects.js';

/** How long an export waits for the workers to resolve the subject's tokens. */
const EXPORT_WAIT_MS = 30_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Subject rights (docs/privacy.md#erasure), for the admin role, scoped to the token's tenant:
 * - POST /api/v1/subjects/erasure {user_id | anonymous_id} → 202 {id, status}: queued for the
 *   enrich workers, which erase the subject from the keys, the warehouse and the caches;
 * - GET /api/v1/subjects/erasure/:id → its progress per store, and when it completed;
 * - GET /api/v1/subjects/export?user_id=… | anonymous_id=… → every event of the subject still
 *   readable, streamed as NDJSON (one line per event, its stream first), consent records too;
 * - GET /api/v1/consent/:anonymousId → the person's latest consent per purpose and the
 *   history of their decisions (docs/privacy.md#consent-records).
 */
export function subjectsRoute(deps: {
  authenticate: Authenticate;
  subjects: SubjectRequests | undefined;
}): Router {
  const router = Router();
  const admin = async (req: Request): Promise<Viewer> => {
    const viewer = await deps.authenticate(req.headers.authorization);
    if (viewer.role !== 'admin') throw forbidden('subject requests are for the admin role only');
    if (!deps.subjects)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'subject requests need Kafka: the query service runs without KAFKA_BROKERS',
      );
    return viewer;
  };
  router.post(
    '/api/v1/subjects/erasure',
    express.json({ limit: '16kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      void (async () => {
        const viewer = await admin(req);
        const body: unknown = req.body;
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw badInput('the body must be a JSON object with user_id or anonymous_id');
        const {
          user_id: userId,
          anonymous_id: anonymousId,
          ...rest
        } = body as Record<string, unknown>;
        const unknown = Object.keys(rest);
        if (unknown.length > 0)
          throw badInput(
            `${unknown[0]}: not a field of an erasure request (user_id, anonymous_id)`,
          );
        for (const [field, value] of [
          ['user_id', userId],
          ['anonymous_id', anonymousId],
        ] as const)
          if (value !== undefined && typeof value !== 'string')
            throw badInput(`${field}: a string, as the client sent it`);
        const request = checked(() =>
          newErasureRequest({
            tenant: viewer.tenantId,
            userId: userId as string | undefined,
            anonymousId: anonymousId as string | undefined,
            requestedBy: viewer.subject || `${viewer.role}@${viewer.tenantId}`,
          }),
        );
        await queue(deps.subjects!, request);
        res
          .status(202)
          .location(`/api/v1/subjects/erasure/${request.id}`)
          .json({
            id: request.id,
            state: 'queued',
            status: `/api/v1/subjects/erasure/${request.id}`,
          });
      })().catch(next);
    },
  );
  router.get('/api/v1/subjects/export', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const viewer = await admin(req);
      const query = req.query as Record<string, unknown>;
      for (const field of ['user_id', 'anonymous_id'])
        if (query[field] !== undefined && typeof query[field] !== 'string')
          throw badInput(`${field}: one value, as the client sent it`);
      const { request, tokens } = await resolve(deps.subjects!, viewer, {
        userId: query.user_id as string | undefined,
        anonymousId: query.anonymous_id as string | undefined,
      });
      res.status(200).type('application/x-ndjson');
      res.setHeader('x-export-request-id', request.id);
      for (const stream of tokens.length > 0 ? EXPORT_STREAMS : []) {
        const rows = await deps.subjects!.rows(stream, viewer.tenantId, tokens);
        // Back-pressure: a slow client slows the read, nothing is held whole.
        await pipeline(rows, res, { end: false });
      }
      res.end();
    })().catch(next);
  });
  router.get('/api/v1/consent/:anonymousId', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const viewer = await admin(req);
      const anonymousId = String(req.params.anonymousId);
      const { request, tokens } = await resolve(deps.subjects!, viewer, { anonymousId });
      const record =
        tokens.length > 0 ? await deps.subjects!.consent(viewer.tenantId, tokens) : undefined;
      res.setHeader('x-access-request-id', request.id);
      if (!record) {
        res.status(404).json({
          status: 'error',
          code: 'NOT_FOUND',
          message: 'no consent decision is recorded for this anonymous id in the tenant',
        });
        return;
      }
      res.status(200).json({ anonymous_id: anonymousId, ...record });
    })().catch(next);
  });
  router.get('/api/v1/subjects/erasure/:id', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const viewer = await admin(req);
      const id = String(req.params.id);
      if (!UUID.test(id)) throw badInput('id: an erasure request id (a UUID)');
      const progress = await deps.subjects!.progress(viewer.tenantId, id);
      if (!progress) {
        res.status(404).json({
          status: 'error',
          code: 'NOT_FOUND',
          message: `the tenant has no erasure request ${id}`,
        });
        return;
      }
      res.status(200).json(progress);
    })().catch(next);
  });
  return router;
}

/**
 * The subject's tokens, resolved by the enrich workers (they hold the keys) for an access
 * request, which the audit records like an export.
 */
async function resolve(
  subjects: SubjectRequests,
  viewer: Viewer,
  ids: { userId?: string | undefined; anonymousId?: string | undefined },
): Promise<{ request: ErasureRequest; tokens: string[] }> {
  const request = checked(() =>
    newErasureRequest({
      type: 'export',
      tenant: viewer.tenantId,
      userId: ids.userId,
      anonymousId: ids.anonymousId,
      requestedBy: viewer.subject || `${viewer.role}@${viewer.tenantId}`,
    }),
  );
  await queue(subjects, request);
  const deadline = Date.now() + EXPORT_WAIT_MS;
  let tokens: string[] | undefined;
  while (!(tokens = await subjects.exportTokens(viewer.tenantId, request.id))) {
    if (Date.now() > deadline)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'no enrich worker resolved the subject within 30 s (they run subject requests); try again',
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  return { request, tokens };
}

/** A request from the client's input, or a 400 naming the field. */
function checked(make: () => ErasureRequest): ErasureRequest {
  try {
    return make();
  } catch (err) {
    if (err instanceof ErasureInputError) throw badInput(err.message);
    throw err;
  }
}

/** Queues a request; Kafka or ClickHouse away is a 503 to retry, not a 500. */
async function queue(subjects: SubjectRequests, request: ErasureRequest): Promise<void> {
  await subjects.submit(request).catch((err: unknown) => {
    throw new QueryError(
      'UNAVAILABLE',
      503,
      'the request could not be queued (Kafka or ClickHouse did not take it); try again',
      { cause: err },
    );
  });
}
