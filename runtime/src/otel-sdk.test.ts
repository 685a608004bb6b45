import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTracing } from './otel-sdk.js';

describe('startTracing', () => {
  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT: spans are not recorded', () => {
    expect(startTracing('test', {})).toBeUndefined();
    const span = trace.getTracer('test').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it('refuses a sampling fraction outside 0..1, naming the variable', () => {
    expect(() =>
      startTracing('test', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
