import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { contextFrom, tracer } from '@backbone/runtime';

export const queryTracer = tracer('@backbone/query-service');

/**
 * A server span per request, continuing the caller's `traceparent`; the request's work runs
 * in its context, so resolvers and ClickHouse reads are its children (docs/operations.md §
 * Traces). The route, never the URL: a path or a query string may hold identifiers.
 */
export const traceRequests: RequestHandler = (req, res, next) => {
  const parent = contextFrom(req.headers);
  const span = queryTracer.startSpan(
    req.method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
    parent,
  );
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path ?? req.baseUrl;
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};

/** Each root field's resolver as a span (`Query.dashboardStats`), its reads its children. */
export function tracedRootFields<R extends object>(given: R): R {
  const resolvers = given as Record<string, unknown>;
  const traced: Record<string, unknown> = { ...resolvers };
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = resolvers[type] as Record<string, unknown> | undefined;
    if (!fields) continue;
    traced[type] = Object.fromEntries(
      Object.entries(fields).map(([name, resolve]) => [
        name,
        typeof resolve !== 'function'
          ? resolve
          : (...args: unknown[]) =>
              queryTracer.startActiveSpan(`${type}.${name}`, async (span) => {
                try {
                  return await (resolve as (...a: unknown[]) => unknown)(...args);
                } catch (err) {
                  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
                  throw err;
                } finally {
                  span.end();
                }
              }),
      ]),
    );
  }
  return traced as R;
}
