import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { contextFrom, injectContext, tracer } from '@backbone/runtime';

export const workerTracer = tracer('@backbone/stream-workers');

type Headers = Parameters<typeof contextFrom>[0];

/**
 * The spans of a batch's records that carry a trace context (`traceparent`), each a child of
 * its record's producer, all ended together when the batch is done: a batch fans records of
 * many traces in, and each trace gets its own span of this step (docs/operations.md § Traces).
 * Records without a context cost a header read; without the SDK nothing is recorded.
 */
export class RecordSpans {
  private readonly spans: Span[] = [];
  private readonly startTime = Date.now();

  constructor(
    private readonly name: string,
    private readonly kind: SpanKind = SpanKind.CONSUMER,
  ) {}

  /** A span for the record, when it carries a context; `carry` then gets the span's. */
  start(headers: Headers, attributes: Attributes, carry?: Record<string, unknown>): void {
    const parent = contextFrom(headers);
    const given = trace.getSpanContext(parent);
    if (!given || !trace.isSpanContextValid(given)) return;
    const span = workerTracer.startSpan(
      this.name,
      { kind: this.kind, startTime: this.startTime, attributes },
      parent,
    );
    if (carry) injectContext(carry, trace.setSpan(parent, span));
    this.spans.push(span);
  }

  /** The records' span contexts, for the batch's span to link to. */
  get contexts(): SpanContext[] {
    return this.spans.filter((s) => s.isRecording()).map((s) => s.spanContext());
  }

  /** Ends every span when `done` settles (failed if it fails), and passes its outcome on. */
  async endAfter<T>(done: Promise<T>): Promise<T> {
    try {
      const value = await done;
      this.end();
      return value;
    } catch (err) {
      this.end(err);
      throw err;
    }
  }

  /** Ends every span: failed with `err` when given; linked to the batch's span when given. */
  end(err?: unknown, batch?: SpanContext): void {
    for (const span of this.spans) {
      if (batch) span.addLink({ context: batch });
      if (err !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      span.end();
    }
    this.spans.length = 0;
  }
}

/** A record's place, in the messaging conventions' words (never its key or value). */
export const recordAttributes = (r: {
  topic: string;
  partition: number;
  message: { offset: string };
}): Attributes => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'process',
  'messaging.source.name': r.topic,
  'messaging.destination.partition.id': String(r.partition),
  'messaging.kafka.offset': Number(r.message.offset),
});
