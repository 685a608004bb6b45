import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contextFrom, injectContext, tracer } from '@backbone/runtime';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span (a no-op without the SDK). */
    traceSpan?: Span;
    /** The context the request's work runs in: its span's, under the caller's traceparent. */
    traceContext?: Context;
  }
}

export const gatewayTracer = tracer('@backbone/ingest-gateway');

/**
 * A server span per request, continuing the caller's `traceparent` when it sends one; the
 * produce is its child and the records carry that context to the workers
 * (docs/operations.md § Traces). The route, never the URL: a path may hold identifiers.
 */
export function registerTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const parent = contextFrom(req.headers);
    const route = req.routeOptions.url ?? 'unknown';
    const span = gatewayTracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    req.traceSpan = span;
    req.traceContext = trace.setSpan(parent, span);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const span = req.traceSpan;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/**
 * Runs `produce` under a producer span, child of the request's; with tracing on, `headers`
 * carry that span's context instead of the caller's traceparent.
 */
export async function publishTraced<T>(
  req: FastifyRequest,
  headers: Record<string, string>,
  records: number,
  produce: () => Promise<T>,
): Promise<T> {
  const span = gatewayTracer.startSpan(
    'publish raw',
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.batch.message_count': records,
      },
    },
    req.traceContext,
  );
  injectContext(headers, trace.setSpan(req.traceContext ?? context.active(), span));
  try {
    return await produce();
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
