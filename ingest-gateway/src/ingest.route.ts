import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isRetriable,
  type FieldError,
  type StreamEvents,
  type StreamName,
} from '@backbone/schemas';
import type { ApiKeyRecord, ApiKeyStore } from './api-keys.js';
import { applyConsent } from './consent.js';
import type { GatewayConfig } from './config.js';
import { sendError, UnavailableError } from './errors.js';
import { mapEvent } from './mapping.js';
import type { Metrics } from './metrics.js';

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
  }
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

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

export function registerIngestRoutes(
  app: FastifyInstance,
  deps: {
    config: GatewayConfig;
    keys: ApiKeyStore;
    sink: EventSink;
    metrics: Metrics;
    now: () => number;
  },
): void {
  const { config, keys, sink, metrics } = deps;
  const limits = {
    maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
    maxStringLength: config.MAX_STRING_LENGTH,
  };

  /** 401 without detail: the caller learns nothing about which keys exist. */
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers['x-api-key'];
    const key = keys.find(Array.isArray(header) ? header[0] : header);
    if (!key) return sendError(reply, 'UNAUTHORIZED', 'Missing or invalid API key');
    req.apiKey = key;
  };

  const ingest = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.apiKey as ApiKeyRecord;
    const body = req.body as { batch_id?: unknown; events?: unknown } | null;
    const problem = batchProblem(body, config.MAX_EVENTS_PER_BATCH);
    if (problem) return sendError(reply, 'VALIDATION_ERROR', problem.message, [problem.error]);
    const events = (body as { events: unknown[] }).events;
    const given = (body as { batch_id?: unknown }).batch_id;
    const batchId = typeof given === 'string' && given.length <= 64 ? given : req.id;

    const receivedAt = deps.now();
    const facts = {
      tenantId: key.tenant_id,
      source: key.source,
      receivedAt,
      ip: req.ip || null,
      gpc: req.headers['sec-gpc'] === '1',
      dnt: req.headers.dnt === '1',
    };
    const errors: FieldError[] = [];
    const outgoing: { stream: StreamName; event: StreamEvents[StreamName] }[] = [];
    let rejected = 0;
    for (const [index, raw] of events.entries()) {
      const mapped = mapEvent(raw, index, facts, limits);
      if (!mapped.ok) {
        rejected++;
        errors.push(...mapped.errors);
        metrics.events.inc({ outcome: 'rejected', stream: 'unknown' });
        continue;
      }
      const { outcome, event } = applyConsent(
        mapped.value,
        key.consent_policy ?? config.CONSENT_POLICY,
      );
      if (outcome !== 'kept') metrics.events.inc({ outcome, stream: mapped.stream });
      if (event) outgoing.push({ stream: mapped.stream, event });
    }
    const accepted = events.length - rejected;
    if (accepted === 0) {
      return sendError(reply, 'VALIDATION_ERROR', 'No event in the batch is valid', errors);
    }

    const headers: Record<string, string> = { 'x-request-id': req.id, 'x-batch-id': batchId };
    const traceparent = req.headers.traceparent;
    if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))
      headers.traceparent = traceparent;
    const started = process.hrtime.bigint();
    try {
      await withTimeout(
        Promise.all(outgoing.map((o) => sink.produce(o.stream, o.event, headers))),
        config.PRODUCE_TIMEOUT_MS,
      );
    } catch (err) {
      if (!(err instanceof UnavailableError || isRetriable(err))) throw err;
      req.log.warn(
        { err, batchId, events: outgoing.length },
        'Kafka did not take the batch; answered 503 so the client retries',
      );
      void reply.header(
        'Retry-After',
        String(err instanceof UnavailableError ? err.retryAfterSeconds : 5),
      );
      return sendError(
        reply,
        'UNAVAILABLE',
        'The event store cannot take events right now; retry later',
      );
    }
    metrics.produceLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    for (const o of outgoing) metrics.events.inc({ outcome: 'accepted', stream: o.stream });
    return reply.code(202).send({
      status: 'accepted',
      batch_id: batchId,
      events_received: events.length,
      events_accepted: accepted,
      events_rejected: rejected,
      timestamp: new Date(receivedAt).toISOString(),
      ...(errors.length > 0 ? { errors } : {}),
    });
  };

  const rateLimit = {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    hook: 'preHandler' as const,
    keyGenerator: (req: FastifyRequest) => req.apiKey?.id ?? req.ip,
  };
  for (const url of ['/v1/events', '/api/v1/events']) {
    app.post(url, { onRequest: authenticate, config: { rateLimit } }, ingest);
  }
}
