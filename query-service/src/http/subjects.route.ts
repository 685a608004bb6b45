import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { ErasureInputError, newErasureRequest } from '@backbone/warehouse';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, QueryError } from '../errors.js';
import type { SubjectRequests } from '../subjects.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Subject rights (docs/privacy.md#erasure), for the admin role, scoped to the token's tenant:
 * - POST /api/v1/subjects/erasure {user_id | anonymous_id} → 202 {id, status}: queued for the
 *   enrich workers, which erase the subject from the keys, the warehouse and the caches;
 * - GET /api/v1/subjects/erasure/:id → its progress per store, and when it completed.
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
        let request;
        try {
          request = newErasureRequest({
            tenant: viewer.tenantId,
            userId: userId as string | undefined,
            anonymousId: anonymousId as string | undefined,
            requestedBy: viewer.subject || `${viewer.role}@${viewer.tenantId}`,
          });
        } catch (err) {
          if (err instanceof ErasureInputError) throw badInput(err.message);
          throw err;
        }
        await deps.subjects!.submit(request).catch((err: unknown) => {
          throw new QueryError(
            'UNAVAILABLE',
            503,
            'the erasure request could not be queued (Kafka or ClickHouse did not take it); try again',
            { cause: err },
          );
        });
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
