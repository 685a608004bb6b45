import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import type { Redis } from 'ioredis';
import { registerReadinessMetric, type Logger } from '@backbone/runtime';
import { isRequestId } from '@backbone/schemas';
import type { KeyLookup } from './key-directory.js';
import type { GatewayConfig } from './config.js';
import { codeForStatus, errorBody, ErrorCodes, sendError } from './errors.js';
import type { Check } from '@backbone/runtime';
import { registerHealthRoutes } from './health.route.js';
import { registerSegmentRoutes } from './segment.route.js';
import { registerSnippetRoutes } from './snippet.route.js';
import { registerIngestRoutes, type EventSink, type IngestDeps } from './ingest.route.js';
import { registerConsentRoutes } from './consent.route.js';
import { MemoryConsentState, RedisConsentState, type ConsentState } from './consent-state.js';
import { MemorySeenSignatures, RedisSeenSignatures, type SeenSignatures } from './signature.js';
import { BodyError, parseJsonBody } from './json-body.js';
import { createMetrics } from './metrics.js';
import { registerTracing } from './tracing.js';

export interface GatewayDeps {
  sink: EventSink;
  keys: KeyLookup;
  logger: Logger;
  /** Shares rate limits and recorded consent between instances when present; in-process otherwise. */
  redis?: Redis;
  /** Recorded consent decisions; from `redis` when absent (memory without it). */
  consent?: ConsentState;
  /** Signatures already used (signed keys); from `redis` when absent (memory without it). */
  signatures?: SeenSignatures;
  /** Readiness checks by dependency name (kafka, registry, …). */
  checks: readonly Check[];
  version?: string;
  now?: () => number;
}

export async function buildGateway(
  config: GatewayConfig,
  deps: GatewayDeps,
): Promise<FastifyInstance> {
  // Typed as fastify's logger so the app is a plain FastifyInstance.
  const httpLogger: FastifyBaseLogger = deps.logger.child({ module: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // Request lines would carry client IPs; onResponse logs what is needed instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      // Logged with every line: taken from the client only in a form that cannot hold personal data.
      return typeof given === 'string' && isRequestId(given) ? given : randomUUID();
    },
  });
  const metrics = createMetrics(() => deps.sink.pending);
  registerReadinessMetric(metrics.registry, deps.checks);

  for (const type of ['application/json', 'text/plain']) {
    app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (req, body, done) => {
      // Kept for signed requests, whose signature covers the bytes as sent.
      req.rawBody = body as Buffer;
      try {
        done(
          null,
          parseJsonBody(body as Buffer, {
            maxDepth: config.MAX_JSON_DEPTH,
            maxFields: config.MAX_JSON_FIELDS,
          }),
        );
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  }

  await app.register(helmet, { global: true });
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS,
      methods: ['POST', 'GET'],
      allowedHeaders: ['Content-Type', 'X-API-Key', 'X-Request-Id', 'traceparent'],
    });
  }
  await app.register(rateLimit, {
    global: false,
    ...(deps.redis ? { redis: deps.redis, nameSpace: 'gateway-rate-limit:' } : {}),
    // A Redis outage must not stop ingestion: fall through rather than refuse.
    skipOnError: true,
    errorResponseBuilder: (_req, context) => ({
      statusCode: ErrorCodes.RATE_LIMITED,
      ...errorBody(
        'RATE_LIMITED',
        `At most ${context.max} requests per minute for this API key; retry in ${context.after}`,
      ),
    }),
  });

  registerTracing(app);
  app.addHook('onSend', async (req, reply) => {
    void reply.header('X-Request-Id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    req.log.info(
      {
        reqId: req.id,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        tenant: req.apiKey?.tenant_id,
      },
      'request',
    );
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof BodyError)
      return sendError(reply, 'VALIDATION_ERROR', err.message, [
        { field: '(body)', message: err.message },
      ]);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(
        reply,
        'PAYLOAD_TOO_LARGE',
        `The body is larger than ${config.BODY_LIMIT_BYTES} bytes`,
      );
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json');
    if (err.statusCode && err.statusCode < 500)
      return sendError(reply, codeForStatus(err.statusCode), err.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, 'INTERNAL', 'Internal error; the request id names it in the logs');
  });
  // Unknown routes answer in the catalogue's shape like every other error (openapi.yaml).
  app.setNotFoundHandler((_req, reply) =>
    sendError(reply, 'NOT_FOUND', 'No such route: the API is described in openapi.yaml'),
  );

  const ingest = ingestDeps(config, deps, metrics);
  registerIngestRoutes(app, ingest);
  registerSegmentRoutes(app, ingest);
  registerSnippetRoutes(app);
  registerConsentRoutes(app, ingest);
  registerHealthRoutes(app, { checks: deps.checks, version: deps.version ?? '0.1.0' });
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return app;
}

/** What the ingest routes need: the gateway's deps, with Redis-backed state where Redis is. */
function ingestDeps(
  config: GatewayConfig,
  deps: GatewayDeps,
  metrics: ReturnType<typeof createMetrics>,
): IngestDeps {
  return {
    config,
    keys: deps.keys,
    sink: deps.sink,
    metrics,
    signatures:
      deps.signatures ??
      (deps.redis ? new RedisSeenSignatures(deps.redis) : new MemorySeenSignatures()),
    consent:
      deps.consent ??
      (deps.redis
        ? new RedisConsentState(deps.redis, config.CONSENT_STATE_TTL_DAYS * 86_400)
        : new MemoryConsentState()),
    now: deps.now ?? Date.now,
  };
}
