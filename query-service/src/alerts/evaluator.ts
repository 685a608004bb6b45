import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@backbone/runtime';
import { clickhouseTime, qualified, TABLES } from '@backbone/warehouse';
import type { AlertMetrics } from '../metrics.js';
import { measure, windowOf, type DeadLetters } from './measure.js';
import { breaches, webhookSecret, type AlertRecord } from './rules.js';
import { deliver, DEFAULT_RETRY, type Delivery, type RetryPolicy } from './webhook.js';

/** An open incident: since when an alert's metric has been on the bad side. */
interface Incident {
  id: string;
  startedAt: number;
}

/** Who evaluates when several instances run: the holder of a lease (RedisLease), or everyone. */
export interface Lease {
  hold(): Promise<boolean>;
}

/**
 * One evaluator among the instances that share a Redis: the lease is taken with SET NX and
 * kept while renewed; another instance takes over when the holder stops renewing.
 */
export class RedisLease implements Lease {
  private readonly me = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly name = 'query-alerts:evaluator',
  ) {}

  async hold(): Promise<boolean> {
    if ((await this.redis.set(this.name, this.me, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
    if ((await this.redis.get(this.name)) !== this.me) return false;
    await this.redis.pexpire(this.name, this.ttlMs);
    return true;
  }
}

type State = 'firing' | 'resolved';

/**
 * Checks every enabled alert against the rollups each round and notifies its webhook once
 * when an incident starts (the value crosses the threshold) and once when it ends (it is
 * back). Each notification is recorded in alert_notifications before it is sent and again
 * when delivered or given up, so a restarted evaluator knows the open incidents and sends
 * again what was decided but not delivered (receivers drop repeats by X-Backbone-Delivery).
 * A round with no value (no data) changes nothing. docs/alerts.md.
 */
export class AlertEvaluator {
  private readonly open = new Map<string, Incident>();
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly o: {
      alerts: () => Promise<AlertRecord[]>;
      /** Reads the rollups and the notification log. */
      reader: ClickHouseClient;
      /** Appends to alert_notifications (the audit writer). */
      writer: ClickHouseClient;
      database: string;
      signingKey: string;
      logger: Logger;
      deadLetters?: DeadLetters;
      lease?: Lease;
      metrics?: AlertMetrics;
      retry?: RetryPolicy;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Restores the open incidents and resends what was not delivered; then a round each interval. */
  async start(intervalMs: number): Promise<void> {
    await this.restore();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** One round over every alert (rounds never overlap). */
  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((err: unknown) => {
        this.o.metrics?.evaluationFailures.inc();
        this.o.logger.warn({ err }, 'alerts not evaluated this round (Redis or Kafka); next round');
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once every decided notification has been delivered or given up. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** No new rounds; deliveries in progress stop retrying and stay recorded as undelivered. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    await this.settled();
  }

  private async round(): Promise<void> {
    if (this.stopping || (this.o.lease && !(await this.o.lease.hold()))) return;
    const rules = await this.o.alerts();
    const live = new Set(rules.map((r) => `${r.tenant_id}/${r.id}`));
    // An alert deleted or disabled with an incident open: forgotten, no notification.
    for (const key of this.open.keys()) if (!live.has(key)) this.open.delete(key);
    for (const rule of rules) {
      const key = `${rule.tenant_id}/${rule.id}`;
      if (!rule.enabled) {
        this.open.delete(key);
        continue;
      }
      const window = windowOf(this.now, rule.window_minutes);
      let value: number | null;
      try {
        value = await measure(
          { clickhouse: this.o.reader, database: this.o.database, deadLetters: this.o.deadLetters },
          rule.tenant_id,
          rule.metric,
          window,
        );
      } catch (err) {
        this.o.metrics?.evaluationFailures.inc();
        this.o.logger.warn({ err, alert: rule.id }, 'an alert could not be evaluated; next round');
        continue;
      }
      if (value === null) continue;
      const incident = this.open.get(key);
      if (breaches(rule, value) && !incident) {
        const started = { id: `${rule.id}-${window.to}`, startedAt: window.to };
        this.open.set(key, started);
        this.notify(rule, 'firing', started, value, window);
      } else if (!breaches(rule, value) && incident) {
        this.open.delete(key);
        this.notify(rule, 'resolved', incident, value, window);
      }
    }
  }

  /** Queued per alert, so a recovery never overtakes its incident's firing. */
  private notify(
    rule: AlertRecord,
    state: State,
    incident: Incident,
    value: number | null,
    window: { from: number; to: number },
  ): void {
    const key = `${rule.tenant_id}/${rule.id}`;
    const payload = {
      delivery_id: `${incident.id}.${state}`,
      type: `alert.${state}`,
      tenant_id: rule.tenant_id,
      incident_id: incident.id,
      alert: {
        id: rule.id,
        name: rule.name,
        metric: rule.metric,
        threshold: rule.threshold,
        window_minutes: rule.window_minutes,
      },
      value,
      started_at: new Date(incident.startedAt).toISOString(),
      ...(state === 'resolved' ? { resolved_at: new Date(this.now).toISOString() } : {}),
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    };
    const row = { rule, state, incident: incident.id, value };
    const chain = (this.chains.get(key) ?? Promise.resolve())
      .then(async () => {
        await this.record(row, { delivered: false, attempts: 0, status: 0 });
        const secret = webhookSecret(this.o.signingKey, rule);
        const done = await deliver(
          rule.webhook_url,
          payload,
          secret,
          this.o.retry ?? DEFAULT_RETRY,
          () => this.stopping,
        );
        // Left as decided-not-sent: the next start sends it again.
        if (done.interrupted) return;
        this.o.metrics?.notifications.inc({
          state,
          outcome: done.delivered ? 'delivered' : 'failed',
        });
        if (!done.delivered)
          this.o.logger.warn(
            { alert: rule.id, tenant: rule.tenant_id, state, status: done.status },
            'an alert webhook was not delivered',
          );
        await this.record(row, done);
      })
      .catch((err: unknown) =>
        this.o.logger.warn({ err, alert: rule.id }, 'an alert notification was not recorded'),
      )
      .finally(() => {
        if (this.chains.get(key) === chain) this.chains.delete(key);
      });
    this.chains.set(key, chain);
  }

  private async record(
    row: { rule: AlertRecord; state: State; incident: string; value: number | null },
    d: Delivery,
  ): Promise<void> {
    await this.o.writer.insert({
      table: qualified({ database: this.o.database, suffix: '' }, TABLES.alertNotifications),
      format: 'JSONEachRow',
      values: [
        {
          at: clickhouseTime(Date.now()),
          tenant_id: row.rule.tenant_id,
          alert_id: row.rule.id,
          incident_id: row.incident,
          state: row.state,
          value: row.value,
          threshold: row.rule.threshold,
          delivered: d.delivered ? 1 : 0,
          attempts: d.attempts,
          http_status: d.status,
        },
      ],
    });
  }

  /** The open incidents from the log, and the notifications decided but never delivered. */
  private async restore(): Promise<void> {
    const result = await this.o.reader.query({
      query: `SELECT tenant_id, alert_id,
  argMax(state, (at, attempts)) AS state, argMax(incident_id, (at, attempts)) AS incident
FROM ${this.o.database}.${TABLES.alertNotifications}
GROUP BY tenant_id, alert_id
HAVING state = 'firing'`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{
      tenant_id: string;
      alert_id: string;
      incident: string;
    }>();
    for (const r of rows)
      this.open.set(`${r.tenant_id}/${r.alert_id}`, {
        id: r.incident,
        startedAt: startOf(r.incident),
      });
    await this.redeliver();
  }

  /** Notifications whose last row says undelivered and not given up (attempts 0: cut short). */
  private async redeliver(): Promise<void> {
    const result = await this.o.reader.query({
      query: `SELECT tenant_id, alert_id, incident_id, state, argMax(value, (at, attempts)) AS value
FROM ${this.o.database}.${TABLES.alertNotifications}
GROUP BY tenant_id, alert_id, incident_id, state
HAVING max(delivered) = 0 AND max(attempts) = 0`,
      format: 'JSONEachRow',
    });
    const pending = await result.json<{
      tenant_id: string;
      alert_id: string;
      incident_id: string;
      state: State;
      value: number | null;
    }>();
    if (pending.length === 0) return;
    const rules = new Map((await this.o.alerts()).map((r) => [`${r.tenant_id}/${r.id}`, r]));
    for (const p of pending) {
      const rule = rules.get(`${p.tenant_id}/${p.alert_id}`);
      if (!rule) continue;
      const startedAt = startOf(p.incident_id);
      const window = windowOf(startedAt, rule.window_minutes);
      this.notify(rule, p.state, { id: p.incident_id, startedAt }, p.value, window);
    }
  }
}

/** An incident's id is `<alert id>-<ms>`: the end of the window in which it started. */
const startOf = (incident: string) => Number(incident.slice(incident.lastIndexOf('-') + 1));
