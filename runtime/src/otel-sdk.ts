import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/**
 * The OpenTelemetry SDK, for a service's main only (library code uses the API alone). It starts
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set and exports spans over OTLP/HTTP there; otherwise it
 * does nothing and no span leaves the process. Sampling: OTEL_TRACES_SAMPLER_ARG (0..1, default
 * 1) of the traces that start here; a trace that comes with a `traceparent` follows its
 * sampled flag. docs/operations.md § Traces.
 */
export function startTracing(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  processors?: SpanProcessor[],
): { stop: () => Promise<void> } | undefined {
  if (!processors && !env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
    return undefined;
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  if (!(ratio >= 0 && ratio <= 1))
    throw new Error('OTEL_TRACES_SAMPLER_ARG: a fraction of traces from 0 to 1');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? service,
      [ATTR_SERVICE_VERSION]: env.npm_package_version ?? '0.1.0',
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT) itself.
    spanProcessors: processors ?? [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // W3C Trace Context and baggage propagators, and AsyncLocalStorage for the active span.
  provider.register();
  return { stop: () => provider.shutdown() };
}
