import { describe, expect, it } from 'vitest';
import { alertSettings, breaches, webhookSecret } from './rules.js';

describe('alert rules', () => {
  it('breaches on the bad side only: above for error rates, below for confidence', () => {
    expect(breaches({ metric: 'stt_error_rate', threshold: 0.2 }, 0.21)).toBe(true);
    expect(breaches({ metric: 'stt_error_rate', threshold: 0.2 }, 0.2)).toBe(false);
    expect(breaches({ metric: 'stt_confidence', threshold: 0.8 }, 0.79)).toBe(true);
    expect(breaches({ metric: 'stt_confidence', threshold: 0.8 }, 0.9)).toBe(false);
  });

  it('derives a webhook secret per tenant, alert and version', () => {
    const key = 'k'.repeat(32);
    const a = { tenant_id: 'acme', id: 'alert_1', secret_version: 1 };
    expect(webhookSecret(key, a)).toBe(webhookSecret(key, { ...a }));
    expect(webhookSecret(key, a)).toMatch(/^whsec_[\w-]{43}$/);
    for (const other of [
      { ...a, tenant_id: 'globex' },
      { ...a, id: 'alert_2' },
      { ...a, secret_version: 2 },
    ])
      expect(webhookSecret(key, other)).not.toBe(webhookSecret(key, a));
    expect(webhookSecret('j'.repeat(32), a)).not.toBe(webhookSecret(key, a));
  });

  it('checks settings, naming the field; the threshold within the metric’s bounds', () => {
    expect(
      alertSettings(
        { threshold: 1500, metric: 'stt_latency_p95_ms', webhook_url: 'https://x.example/h' },
        { allowHttp: false },
      ),
    ).toEqual({
      threshold: 1500,
      metric: 'stt_latency_p95_ms',
      webhook_url: 'https://x.example/h',
    });
    const fails =
      (b: Record<string, unknown>, allowHttp = false) =>
      () =>
        alertSettings(b, { allowHttp, metric: 'stt_confidence' });
    expect(fails({ threshold: 1.5 })).toThrow(
      /^threshold: a number from 0 to 1 for stt_confidence/,
    );
    expect(fails({ webhook_url: 'http://x.example/h' })).toThrow(/^webhook_url: an https URL/);
    expect(fails({ webhook_url: 'http://x.example/h' }, true)).not.toThrow();
    expect(fails({ enabled: 'yes' })).toThrow(/^enabled: true or false/);
    expect(fails({ name: '' })).toThrow(/^name: a string of 1 to 200/);
  });
});
