import { createHmac } from 'node:crypto';

/**
 * What an alert may watch, and which way is bad. Values come from the rollups (and the
 * dead-letter topics) over the alert's window (docs/alerts.md):
 * - stt_error_rate: STT errors per session started (0 when neither happened);
 * - stt_latency_p95_ms: the 95th percentile of segment latency, in ms;
 * - stt_confidence: the mean confidence of segments, 0 to 1;
 * - ingest_volume_drop: how many percent fewer events than in the window before;
 * - dlq_rate: dead letters per minute.
 */
export const ALERT_METRICS = {
  stt_error_rate: { bad: 'above', min: 0, max: 1 },
  stt_latency_p95_ms: { bad: 'above', min: 0, max: 3_600_000 },
  stt_confidence: { bad: 'below', min: 0, max: 1 },
  ingest_volume_drop: { bad: 'above', min: 0, max: 100 },
  dlq_rate: { bad: 'above', min: 0, max: 1_000_000 },
} as const;
export type AlertMetric = keyof typeof ALERT_METRICS;
export const isAlertMetric = (m: unknown): m is AlertMetric =>
  typeof m === 'string' && Object.hasOwn(ALERT_METRICS, m);

/** An alert as the tenants topic holds it (`alert/<tenant>/<id>`); never its webhook secret. */
export interface AlertRecord {
  kind: 'alert';
  id: string;
  tenant_id: string;
  name: string;
  metric: AlertMetric;
  threshold: number;
  window_minutes: number;
  webhook_url: string;
  enabled: boolean;
  /** Which webhook secret signs the deliveries (rotating it adds one). */
  secret_version: number;
  created_at: string;
  changed_by: string;
  changed_at: string;
}

export const alertKey = (tenant: string, id: string) => `alert/${tenant}/${id}`;

/** True when the value is on the bad side of the threshold. */
export function breaches(rule: Pick<AlertRecord, 'metric' | 'threshold'>, value: number): boolean {
  return ALERT_METRICS[rule.metric].bad === 'above'
    ? value > rule.threshold
    : value < rule.threshold;
}

/**
 * The secret that signs an alert's webhooks, derived from the service's ALERT_SIGNING_KEY,
 * so no secret is stored anywhere: shown to the tenant once, re-derived to sign.
 */
export function webhookSecret(
  signingKey: string,
  rule: Pick<AlertRecord, 'tenant_id' | 'id' | 'secret_version'>,
): string {
  const mac = createHmac('sha256', signingKey)
    .update(`alert-webhook\0${rule.tenant_id}\0${rule.id}\0${rule.secret_version}`)
    .digest('base64url');
  return `whsec_${mac}`;
}

/** What a tenant admin may set on an alert. */
export type AlertSettings = Partial<
  Pick<AlertRecord, 'name' | 'metric' | 'threshold' | 'window_minutes' | 'webhook_url' | 'enabled'>
>;
export const ALERT_FIELDS = [
  'name',
  'metric',
  'threshold',
  'window_minutes',
  'webhook_url',
  'enabled',
] as const;

export class AlertInputError extends Error {}

/**
 * An alert's settings from a request body, checked; every problem names its field. Webhooks
 * go to https URLs (http only where `allowHttp`, as locally), without credentials in them.
 */
export function alertSettings(
  b: Record<string, unknown>,
  o: { allowHttp: boolean; metric?: AlertMetric },
): AlertSettings {
  const s: AlertSettings = {};
  const fail = (m: string) => {
    throw new AlertInputError(m);
  };
  if (b.name !== undefined) {
    if (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > 200)
      fail('name: a string of 1 to 200 characters');
    s.name = b.name as string;
  }
  if (b.metric !== undefined) {
    if (!isAlertMetric(b.metric)) fail(`metric: one of ${Object.keys(ALERT_METRICS).join(', ')}`);
    s.metric = b.metric as AlertMetric;
  }
  const metric = s.metric ?? o.metric;
  if (b.threshold !== undefined) {
    const bounds = metric ? ALERT_METRICS[metric] : { min: 0, max: Number.MAX_SAFE_INTEGER };
    if (
      typeof b.threshold !== 'number' ||
      !(b.threshold >= bounds.min && b.threshold <= bounds.max)
    )
      fail(
        `threshold: a number from ${bounds.min} to ${bounds.max}${metric ? ` for ${metric}` : ''}`,
      );
    s.threshold = b.threshold as number;
  }
  if (b.window_minutes !== undefined) {
    const w = b.window_minutes;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 1440)
      fail('window_minutes: a whole number from 1 to 1440');
    s.window_minutes = w as number;
  }
  if (b.webhook_url !== undefined) s.webhook_url = webhookUrl(b.webhook_url, o.allowHttp);
  if (b.enabled !== undefined) {
    if (typeof b.enabled !== 'boolean') fail('enabled: true or false');
    s.enabled = b.enabled as boolean;
  }
  return s;
}

function webhookUrl(v: unknown, allowHttp: boolean): string {
  let url: URL | undefined;
  try {
    url = typeof v === 'string' && v.length <= 2000 ? new URL(v) : undefined;
  } catch {
    url = undefined;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!url || !schemes.includes(url.protocol))
    throw new AlertInputError(`webhook_url: an ${allowHttp ? 'http(s)' : 'https'} URL`);
  if (url.username || url.password)
    throw new AlertInputError('webhook_url: no credentials in the URL; verify the signature');
  return url.toString();
}
