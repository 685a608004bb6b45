import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Tracing through the OpenTelemetry API only: without an SDK (a service started without
 * OTEL_EXPORTER_OTLP_ENDPOINT) every span here is a no-op and nothing leaves the process.
 * The trace context crosses Kafka in each record's `traceparent` header (W3C Trace Context);
 * docs/operations.md § Traces.
 */
export const tracer = (name: string): Tracer => trace.getTracer(name);

/** Kafka headers as kafkajs and @platformatic/kafka hand them over: strings or buffers. */
type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;
type Headers = Record<string, HeaderValue>;

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined ? undefined : first.toString();
  },
};
const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The trace context a record (or a request) carries, if any. */
export function contextFrom(headers: Headers | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

/** The span context a record carries, when it carries one. */
export function spanContextFrom(headers: Headers | undefined): SpanContext | undefined {
  const found = trace.getSpanContext(contextFrom(headers));
  return found && trace.isSpanContextValid(found) ? found : undefined;
}

/**
 * Writes `ctx` (the active context by default) into `headers` as `traceparent`: with no SDK
 * there is no propagator and `headers` are left as they are.
 */
export function injectContext<T extends Record<string, unknown>>(
  headers: T,
  ctx: Context = context.active(),
): T {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}

/** Links from a batch's span to the records' spans (messaging conventions: fan-in). */
export function linksTo(contexts: Iterable<SpanContext | undefined>, max = 128): Link[] {
  const links: Link[] = [];
  for (const c of contexts) {
    if (!c) continue;
    links.push({ context: c });
    if (links.length >= max) break;
  }
  return links;
}
