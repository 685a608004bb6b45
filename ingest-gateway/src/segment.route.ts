import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '@backbone/schemas';
import { sendError } from './errors.js';
import {
  acceptBatch,
  rateLimitOptions,
  sendUnavailable,
  signatureCheck,
  type IngestDeps,
} from './ingest.route.js';
import {
  SEGMENT_ACCEPTED,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_REFUSED,
  translate,
  writeKeyOf,
  type SegmentType,
} from './segment.js';

/**
 * Segment's write key, from HTTP Basic or the body, as an API key: 401 without detail when it
 * is missing or unknown. Runs once the body is read, since the key may be in it.
 */
function writeKeyAuthenticator(deps: IngestDeps) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const key = deps.keys.find(writeKeyOf(req.headers.authorization, req.body));
    if (!key) return sendError(reply, 'UNAUTHORIZED', 'Missing or invalid write key');
    req.apiKey = key;
  };
}

/**
 * Segment's HTTP Tracking API (`/v1/batch`, `/v1/track`, `/v1/page`, `/v1/screen`, and
 * `/v1/identify`, `/v1/group`, `/v1/alias`, which are refused with their reason; and
 * analytics.js' short forms `/v1/b`, `/v1/t`, `/v1/p`, `/v1/s`, `/v1/i`, `/v1/g`, `/v1/a`): any of
 * Segment's, RudderStack's or Jitsu's SDKs can send here unchanged. docs/segment.md.
 */
export function registerSegmentRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const handle =
    (type: SegmentType | undefined) => async (req: FastifyRequest, reply: FastifyReply) => {
      if ((req.rawBody?.length ?? 0) > SEGMENT_MAX_BATCH_BYTES)
        return sendError(
          reply,
          'VALIDATION_ERROR',
          `The request is larger than ${SEGMENT_MAX_BATCH_BYTES / 1024} KB`,
          [{ field: '(body)', message: `At most ${SEGMENT_MAX_BATCH_BYTES / 1024} KB` }],
        );
      const body = req.body as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return sendError(reply, 'VALIDATION_ERROR', 'The body must be a JSON object', [
          { field: '(body)', message: 'Expected an object' },
        ]);
      let messages: unknown[];
      if (type) messages = [body];
      else if (!Array.isArray(body.batch) || body.batch.length === 0)
        return sendError(reply, 'VALIDATION_ERROR', 'No messages', [
          { field: 'batch', message: 'Expected a non-empty array' },
        ]);
      else messages = body.batch;
      if (messages.length > deps.config.MAX_EVENTS_PER_BATCH)
        return sendError(reply, 'VALIDATION_ERROR', 'Too many messages', [
          { field: 'batch', message: `At most ${deps.config.MAX_EVENTS_PER_BATCH} per request` },
        ]);

      const receivedAt = deps.now();
      const errors: FieldError[] = [];
      const events: Record<string, unknown>[] = [];
      /** For each event passed on, where its message was (its errors name that place). */
      const origin: string[] = [];
      messages.forEach((m, i) => {
        const at = type ? '(body)' : `batch[${i}]`;
        const t = translate(m, at, {
          ...(type ? { type } : {}),
          batchSentAt: body.sentAt,
          batchContext: type ? undefined : body.context,
          receivedAt,
        });
        if (t.ok) {
          events.push(t.event);
          origin.push(at);
        } else errors.push(t.error);
      });
      if (events.length === 0)
        return sendError(
          reply,
          'VALIDATION_ERROR',
          'No message in the request is accepted',
          errors,
        );

      const outcome = await acceptBatch(deps, req, events, req.id);
      // acceptBatch names fields events[i]…; the sender knows them as batch[j]….
      const renamed = (e: FieldError) => {
        const m = /^events\[(\d+)\](.*)$/.exec(e.field);
        return m ? { ...e, field: `${origin[Number(m[1])]}${m[2]}` } : e;
      };
      if (outcome.kind === 'invalid')
        return sendError(reply, 'VALIDATION_ERROR', 'No message in the request is accepted', [
          ...errors,
          ...outcome.errors.map(renamed),
        ]);
      if (outcome.kind === 'unavailable') return sendUnavailable(reply, outcome.retryAfterSeconds);
      const all = [...errors, ...outcome.errors.map(renamed)];
      // Segment's answer; what was refused is listed beside it.
      return reply.code(200).send({ success: true, ...(all.length > 0 ? { errors: all } : {}) });
    };

  const options = {
    preValidation: [writeKeyAuthenticator(deps), signatureCheck(deps)],
    config: { rateLimit: rateLimitOptions(deps.config) },
  };
  // analytics.js (browser) posts to the short forms: /v1/t, /v1/p, … and /v1/b.
  for (const url of ['/v1/batch', '/v1/b']) app.post(url, options, handle(undefined));
  for (const type of [...SEGMENT_ACCEPTED, ...SEGMENT_REFUSED])
    for (const url of [`/v1/${type}`, `/v1/${type[0]}`]) app.post(url, options, handle(type));
}
