import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '@backbone/schemas';
import { PURPOSES } from './consent-state.js';
import { sendError } from './errors.js';
import {
  acceptBatch,
  authenticator,
  rateLimitOptions,
  sendUnavailable,
  signatureCheck,
  type IngestDeps,
} from './ingest.route.js';

const FIELDS = new Set([
  'event_id',
  'timestamp',
  'session_id',
  'anonymous_id',
  'user_id',
  'purposes',
  'text_version',
  'text',
  'text_sha256',
  'method',
  'context',
]);
const SHA256 = /^[0-9a-f]{64}$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a decision's body before it is mapped like any event, if anything. */
function bodyErrors(body: unknown): FieldError[] {
  if (!isObject(body)) return [{ field: '(body)', message: 'Expected an object' }];
  const errors: FieldError[] = [];
  for (const key of Object.keys(body))
    if (!FIELDS.has(key)) errors.push({ field: key, message: 'Unknown field' });
  if (body.anonymous_id === undefined && body.user_id === undefined)
    errors.push({
      field: 'anonymous_id',
      message: 'Required field missing: a decision names its person (anonymous_id or user_id)',
    });
  const purposes = body.purposes;
  if (!isObject(purposes))
    errors.push({
      field: 'purposes',
      message: purposes === undefined ? 'Required field missing' : 'Expected an object of booleans',
    });
  else {
    for (const [key, value] of Object.entries(purposes))
      if (!(PURPOSES as readonly string[]).includes(key))
        errors.push({
          field: `purposes.${key}`,
          message: `Unknown purpose; expected ${PURPOSES.join(', ')}`,
        });
      else if (value !== null && typeof value !== 'boolean')
        errors.push({
          field: `purposes.${key}`,
          message: 'Expected a boolean: true granted, false refused or withdrawn',
        });
    if (errors.length === 0 && !PURPOSES.some((p) => typeof purposes[p] === 'boolean'))
      errors.push({
        field: 'purposes',
        message: `At least one of ${PURPOSES.join(', ')} granted (true) or refused (false)`,
      });
  }
  if (body.text !== undefined && typeof body.text !== 'string')
    errors.push({ field: 'text', message: 'Expected a string: the exact consent text shown' });
  if (body.text !== undefined && body.text_sha256 !== undefined)
    errors.push({ field: 'text_sha256', message: 'Send the text or its SHA-256, not both' });
  if (
    body.text_sha256 !== undefined &&
    (typeof body.text_sha256 !== 'string' || !SHA256.test(body.text_sha256))
  )
    errors.push({ field: 'text_sha256', message: 'Expected 64 lower-case hex digits' });
  return errors;
}

/** The request field an event mapping error is about (`events[0].properties.analytics` → `purposes.analytics`). */
function bodyField(field: string): string {
  const rest = field.replace(/^events\[0\]\.?/, '');
  const property = /^properties\.(\w+)(.*)$/.exec(rest);
  if (!property) return rest || '(body)';
  const [, name, tail] = property;
  return (PURPOSES as readonly string[]).includes(name!)
    ? `purposes.${name}${tail}`
    : `${name}${tail}`;
}

/**
 * POST /api/v1/consent (and /v1/consent): one person's consent decision, recorded as an event
 * of the consent stream (docs/privacy.md#consent-records). The exact consent text, when sent,
 * is hashed here and goes no further. A withdrawal applies to the person's next event on every
 * gateway instance. 202 once Kafka has the record and the decision is in effect.
 */
export function registerConsentRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const decide = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body;
    const problems = bodyErrors(body);
    if (problems.length > 0)
      return sendError(reply, 'VALIDATION_ERROR', 'The consent decision is not valid', problems);
    const b = body as Record<string, unknown>;
    const purposes = b.purposes as Record<string, unknown>;
    const eventId = b.event_id ?? randomUUID();
    const event = {
      event_id: eventId,
      event_type: 'consent_decision',
      timestamp: b.timestamp ?? new Date(deps.now()).toISOString(),
      session_id: b.session_id ?? randomUUID(),
      ...(b.anonymous_id !== undefined ? { anonymous_id: b.anonymous_id } : {}),
      ...(b.user_id !== undefined ? { user_id: b.user_id } : {}),
      ...(b.context !== undefined ? { context: b.context } : {}),
      properties: {
        ...Object.fromEntries(PURPOSES.map((p) => [p, purposes[p] ?? null])),
        text_version: b.text_version ?? null,
        text_sha256:
          typeof b.text === 'string'
            ? createHash('sha256').update(b.text).digest('hex')
            : (b.text_sha256 ?? null),
        method: b.method ?? 'api',
      },
    };
    const outcome = await acceptBatch(deps, req, [event], req.id);
    if (outcome.kind === 'invalid')
      return sendError(
        reply,
        'VALIDATION_ERROR',
        'The consent decision is not valid',
        outcome.errors.map((e) => ({ ...e, field: bodyField(e.field) })),
      );
    if (outcome.kind === 'unavailable') return sendUnavailable(reply, outcome.retryAfterSeconds);
    return reply.code(202).send({
      status: 'accepted',
      event_id: eventId,
      timestamp: new Date(outcome.receivedAt).toISOString(),
    });
  };
  for (const url of ['/v1/consent', '/api/v1/consent'])
    app.post(
      url,
      {
        onRequest: authenticator(deps.keys),
        preValidation: signatureCheck(deps),
        config: { rateLimit: rateLimitOptions(deps.config) },
      },
      decide,
    );
}
