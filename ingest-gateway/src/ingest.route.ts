import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isRetriable,
  type FieldError,
  type StreamEvents,
  type StreamName,
} from '@backbone/schemas';
import type { ApiKeyRecord } from './api-keys.js';
import type { KeyLookup } from './key-directory.js';
import { applyConsent, deniesTracking, identifies } from './consent.js';
import { PURPOSES, type ConsentState, type Purposes, type SubjectRef } from './consent-state.js';
import type { GatewayConfig } from './config.js';
import { sendError, UnavailableError } from './errors.js';
import { mapEvent } from './mapping.js';
import type { Metrics } from './metrics.js';
import { signatureProblem, type SeenSignatures } from './signature.js';
import { publishTraced } from './tracing.js';

/** Where accepted events go: the producer SDK, or a stand-in in tests. */
export interface EventSink {
  produce<S extends StreamName>(
    stream: S,
    event: StreamEvents[S],
    headers?: Record<string, string>,
  ): Promise<void>;
  readonly pending: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyRecord;
    /** The body as sent, for signature checks. */
    rawBody?: Buffer;
  }
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The headers every record of a request carries: its request and batch ids, the key's tenant
 * (for those who read records without decoding them: dead letters), and the caller's W3C
 * traceparent, which a traced gateway replaces with its own span's.
 */
function recordHeaders(req: FastifyRequest, batchId: string, tenant: string) {
  const headers: Record<string, string> = {
    'x-request-id': req.id,
    'x-batch-id': batchId,
    'x-tenant-id': tenant,
  };
  const traceparent = req.headers.traceparent;
  if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))
    headers.traceparent = traceparent;
  return headers;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(`Kafka did not acknowledge within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What is wrong with a batch as a whole (not an object, no events, too many), if anything. */
function batchProblem(
  body: { events?: unknown } | null,
  maxEvents: number,
): { message: string; error: FieldError } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return {
      message: 'The body must be a JSON object',
      error: { field: '(body)', message: 'Expected an object' },
    };
  if (!Array.isArray(body.events) || body.events.length === 0)
    return {
      message: 'No events',
      error: {
        field: 'events',
        message:
          body.events === undefined ? 'Required field missing' : 'Expected a non-empty array',
      },
    };
  if (body.events.length > maxEvents)
    return {
      message: 'Too many events',
      error: { field: 'events', message: `At most ${maxEvents} events per batch` },
    };
  return undefined;
}

/** What became of a batch: the events that went to Kafka, or why none could. */
export type BatchOutcome =
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'unavailable'; retryAfterSeconds: number }
  | {
      kind: 'accepted';
      accepted: number;
      rejected: number;
      errors: FieldError[];
      receivedAt: number;
    };

export interface IngestDeps {
  config: GatewayConfig;
  keys: KeyLookup;
  sink: EventSink;
  metrics: Metrics;
  consent: ConsentState;
  signatures: SeenSignatures;
  now: () => number;
}

/** The subjects an event names, as the client sent their ids. */
function subjectsOf(event: StreamEvents[StreamName]): SubjectRef[] {
  const { tenant_id: tenant, anonymous_id: anonymous, user_id: user } = event.envelope;
  return [
    ...(anonymous !== null ? [{ tenant, kind: 'anonymous' as const, id: anonymous }] : []),
    ...(user !== null ? [{ tenant, kind: 'user' as const, id: user }] : []),
  ];
}

/** A consent decision's purposes, as the gateway's consent state records them. */
function decisionPurposes(event: StreamEvents[StreamName]): Purposes {
  const decision = Object.values(
    event.payload as unknown as Record<string, Record<string, unknown>>,
  )[0]!;
  return Object.fromEntries(
    PURPOSES.flatMap((p) => (typeof decision[p] === 'boolean' ? [[p, decision[p]]] : [])),
  );
}

/**
 * Accepts a batch of request events: maps and validates each, applies consent (the event's
 * own, GPC/DNT, and the person's recorded decisions), hands the events to Kafka, and once
 * Kafka has them records the consent decisions among them. Consent decisions themselves are
 * never gated: the record of a refusal must not depend on the consent it refuses.
 */
export async function acceptBatch(
  deps: IngestDeps,
  req: FastifyRequest,
  events: readonly unknown[],
  batchId: string,
): Promise<BatchOutcome> {
  const { config, sink, metrics } = deps;
  const key = req.apiKey as ApiKeyRecord;
  const receivedAt = deps.now();
  const facts = {
    tenantId: key.tenant_id,
    source: key.source,
    receivedAt,
    ip: req.ip || null,
    gpc: req.headers['sec-gpc'] === '1',
    dnt: req.headers.dnt === '1',
  };
  const limits = {
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    maxStringLength: config.MAX_STRING_LENGTH,
  };
  const errors: FieldError[] = [];
  const valid: { stream: StreamName; event: StreamEvents[StreamName] }[] = [];
  for (const [index, raw] of events.entries()) {
    const mapped = mapEvent(raw, index, facts, limits);
    if (mapped.ok) valid.push({ stream: mapped.stream, event: mapped.value });
    else {
      errors.push(...mapped.errors);
      metrics.events.inc({ outcome: 'rejected', stream: 'unknown' });
    }
  }
  if (valid.length === 0) return { kind: 'invalid', errors };

  // The recorded decisions of the people the analytics events name, in one round trip.
  const gated = valid.filter(
    (v) => v.stream !== 'consent' && identifies(v.event) && !deniesTracking(v.event),
  );
  const subjects = gated.map((v) => subjectsOf(v.event));
  const withdrawn = new Set<StreamEvents[StreamName]>();
  if (gated.length > 0)
    try {
      const flags = await deps.consent.analyticsWithdrawn(subjects.flat());
      let i = 0;
      for (const [n, v] of gated.entries())
        for (let k = 0; k < subjects[n]!.length; k++) if (flags[i++]) withdrawn.add(v.event);
    } catch (err) {
      // Unknown consent is no consent: without the record, nothing identifies anyone.
      metrics.consentStateFailures.inc({ operation: 'read' });
      req.log.warn(
        { err, events: gated.length },
        'recorded consent unreadable; the batch is treated as without analytics consent',
      );
      for (const v of gated) withdrawn.add(v.event);
    }

  const policy = key.consent_policy ?? config.CONSENT_POLICY;
  const outgoing: { stream: StreamName; event: StreamEvents[StreamName] }[] = [];
  for (const v of valid) {
    if (v.stream === 'consent') {
      outgoing.push(v);
      continue;
    }
    const { outcome, event } = applyConsent(v.event, policy, withdrawn.has(v.event));
    if (outcome !== 'kept') metrics.events.inc({ outcome, stream: v.stream });
    if (event) outgoing.push({ stream: v.stream, event });
  }

  const headers = recordHeaders(req, batchId, key.tenant_id);
  const started = process.hrtime.bigint();
  try {
    // With tracing on, the records carry the produce span's context (docs/operations.md § Traces).
    await publishTraced(req, headers, outgoing.length, () =>
      withTimeout(
        Promise.all(outgoing.map((o) => sink.produce(o.stream, o.event, headers))),
        config.PRODUCE_TIMEOUT_MS,
      ),
    );
  } catch (err) {
    if (!(err instanceof UnavailableError || isRetriable(err))) throw err;
    req.log.warn(
      { err, batchId, events: outgoing.length },
      'Kafka did not take the batch; answered 503 so the client retries',
    );
    return {
      kind: 'unavailable',
      retryAfterSeconds: err instanceof UnavailableError ? err.retryAfterSeconds : 5,
    };
  }
  metrics.produceLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);

  const decisions = outgoing
    .filter((o) => o.event.envelope.event_type === 'consent_decision')
    .flatMap((o) =>
      subjectsOf(o.event).map((subject) => ({ subject, purposes: decisionPurposes(o.event) })),
    );
  try {
    if (decisions.length > 0) await deps.consent.record(decisions);
  } catch (err) {
    // Kafka has the decisions; the client's retry (same event ids) is deduplicated by enrich.
    metrics.consentStateFailures.inc({ operation: 'write' });
    req.log.warn(
      { err, batchId, decisions: decisions.length },
      'consent decisions logged but not yet in effect; answered 503 so the client retries',
    );
    return { kind: 'unavailable', retryAfterSeconds: 1 };
  }
  for (const o of outgoing) metrics.events.inc({ outcome: 'accepted', stream: o.stream });
  return {
    kind: 'accepted',
    accepted: valid.length,
    rejected: events.length - valid.length,
    errors,
    receivedAt,
  };
}

/** 503 with Retry-After: Kafka (or the consent state) cannot take the batch now. */
export function sendUnavailable(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  void reply.header('Retry-After', String(retryAfterSeconds));
  return sendError(
    reply,
    'UNAVAILABLE',
    'The event store cannot take events right now; retry later',
  );
}

/** 401 without detail: the caller learns nothing about which keys exist. */
export function authenticator(keys: KeyLookup) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers['x-api-key'];
    const key = keys.find(Array.isArray(header) ? header[0] : header);
    if (!key) return sendError(reply, 'UNAUTHORIZED', 'Missing or invalid API key');
    req.apiKey = key;
  };
}

/**
 * A key with a signing secret takes only signed requests (X-Signature; signature.ts): 401
 * with the reason otherwise. Runs once the body is read, which the signature covers.
 */
export function signatureCheck(deps: IngestDeps) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.apiKey;
    if (!key?.signing_secret) return;
    const header = req.headers['x-signature'];
    let problem: string | undefined;
    try {
      problem = await signatureProblem({
        header: Array.isArray(header) ? header[0] : header,
        body: req.rawBody ?? Buffer.alloc(0),
        secret: key.signing_secret,
        keyId: key.id,
        nowSeconds: Math.floor(deps.now() / 1000),
        seen: deps.signatures,
      });
    } catch (err) {
      req.log.warn({ err }, 'used signatures unreadable; answered 503 so the client retries');
      void reply.header('Retry-After', '1');
      return sendError(reply, 'UNAVAILABLE', 'The signature cannot be checked right now; retry');
    }
    if (problem) return sendError(reply, 'UNAUTHORIZED', problem);
  };
}

/**
 * Per API key (the client IP before authentication), shared through Redis when it is there:
 * the key's own limit when it has one (set through the admin API), the gateway's otherwise.
 */
export const rateLimitOptions = (config: GatewayConfig) => ({
  max: (req: FastifyRequest) => req.apiKey?.rate_limit_per_minute ?? config.RATE_LIMIT_PER_MINUTE,
  timeWindow: 60_000,
  hook: 'preHandler' as const,
  keyGenerator: (req: FastifyRequest) => req.apiKey?.id ?? req.ip,
});

export function registerIngestRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const ingest = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as { batch_id?: unknown; events?: unknown } | null;
    const problem = batchProblem(body, deps.config.MAX_EVENTS_PER_BATCH);
    if (problem) return sendError(reply, 'VALIDATION_ERROR', problem.message, [problem.error]);
    const events = (body as { events: unknown[] }).events;
    const given = (body as { batch_id?: unknown }).batch_id;
    const batchId = typeof given === 'string' && given.length <= 64 ? given : req.id;

    const outcome = await acceptBatch(deps, req, events, batchId);
    if (outcome.kind === 'invalid')
      return sendError(reply, 'VALIDATION_ERROR', 'No event in the batch is valid', outcome.errors);
    if (outcome.kind === 'unavailable') return sendUnavailable(reply, outcome.retryAfterSeconds);
    return reply.code(202).send({
      status: 'accepted',
      batch_id: batchId,
      events_received: events.length,
      events_accepted: outcome.accepted,
      events_rejected: outcome.rejected,
      timestamp: new Date(outcome.receivedAt).toISOString(),
      ...(outcome.errors.length > 0 ? { errors: outcome.errors } : {}),
    });
  };

  for (const url of ['/v1/events', '/api/v1/events']) {
    app.post(
      url,
      {
        onRequest: authenticator(deps.keys),
        preValidation: signatureCheck(deps),
        config: { rateLimit: rateLimitOptions(deps.config) },
      },
      ingest,
    );
  }
}
