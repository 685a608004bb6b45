import { useCallback, useEffect, useState } from 'react';
import { rest } from '../api';
import { Card, Head } from '../components/ui';

interface Tenant {
  id: string;
  transcript_mode?: 'drop' | 'redact';
  retention_days?: Partial<Record<(typeof CLASSES)[number], number>>;
}
interface Key {
  id: string;
  source: string;
  created_at: string;
  expires_at?: string;
  consent_policy?: string;
}
interface Alert {
  id: string;
  name: string;
  metric: string;
  threshold: number;
  window_minutes: number;
  webhook_url: string;
  enabled: boolean;
}

const CLASSES = ['speech', 'behaviour', 'operational'] as const;
const METRICS = [
  'stt_error_rate',
  'stt_latency_p95_ms',
  'stt_confidence',
  'ingest_volume_drop',
  'dlq_rate',
];
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** A secret shown once, with what it is for. */
function Shown(props: { label: string; value: string | undefined; testId: string }) {
  if (!props.value) return null;
  return (
    <p className="state" role="status" data-testid={props.testId}>
      {props.label} (shown once, keep it now): <code>{props.value}</code>
    </p>
  );
}

/**
 * A tenant admin's settings, on the same API the platform uses (scoped to the token's
 * tenant): transcript policy and retention, API keys, and alerts with their webhooks.
 */
export function Settings(props: { token: string; admin: boolean }) {
  const [tenant, setTenant] = useState<Tenant>();
  const [keys, setKeys] = useState<Key[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [newKey, setNewKey] = useState<string>();
  const [newSecret, setNewSecret] = useState<string>();
  const { token } = props;
  const call = useCallback(
    async <T,>(path: string, init?: RequestInit): Promise<T | undefined> => {
      setError(undefined);
      try {
        return await rest<T>(token, path, init);
      } catch (e) {
        setError((e as Error).message);
        return undefined;
      }
    },
    [token],
  );
  const load = useCallback(async () => {
    const [t, k, a] = await Promise.all([
      call<Tenant>('/api/v1/tenant'),
      call<{ keys: Key[] }>('/api/v1/tenant/keys'),
      call<{ alerts: Alert[] }>('/api/v1/alerts'),
    ]);
    if (t) setTenant(t);
    if (k) setKeys(k.keys);
    if (a) setAlerts(a.alerts);
  }, [call]);
  useEffect(() => {
    if (props.admin) void load();
  }, [props.admin, load]);
  if (!props.admin)
    return (
      <div className="state error" role="alert">
        Settings are for the admin role.
      </div>
    );
  return (
    <div className="grid">
      {error && (
        <div className="state error wide" role="alert" data-testid="settings-error">
          {error}
        </div>
      )}
      {/* The form once the tenant is read: what the admin types is never overwritten. */}
      {tenant ? (
        <Policies tenant={tenant} call={call} onSaved={(t) => (setTenant(t), setSaved('Saved'))} />
      ) : (
        <div className="state wide">Loading…</div>
      )}
      {saved && <p data-testid="policies-saved">{saved}</p>}
      <Card title="API keys" wide testId="keys">
        <KeyForm
          onCreate={async (source) => {
            const made = await call<Key & { key: string }>('/api/v1/tenant/keys', json({ source }));
            if (made) setNewKey(made.key);
            await load();
          }}
        />
        <Shown label="New key" value={newKey} testId="new-key" />
        <KeyTable
          keys={keys}
          revoke={(id) => void call(`/api/v1/tenant/keys/${id}`, { method: 'DELETE' }).then(load)}
        />
      </Card>
      <Card title="Alerts" wide testId="alerts">
        <AlertForm
          onCreate={async (alert) => {
            const made = await call<Alert & { webhook_secret: string }>(
              '/api/v1/alerts',
              json(alert),
            );
            if (made) setNewSecret(made.webhook_secret);
            await load();
          }}
        />
        <Shown label="Webhook signing secret" value={newSecret} testId="new-secret" />
        <table>
          <Head cols={['Name', 'Metric', 'Threshold', 'Window', 'Webhook', 'On', '']} />
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id} data-testid="alert-row">
                <td>{a.name}</td>
                <td>{a.metric}</td>
                <td>{a.threshold}</td>
                <td>{a.window_minutes} min</td>
                <td>{new URL(a.webhook_url).host}</td>
                <td>{a.enabled ? 'yes' : 'no'}</td>
                <td>
                  <button
                    onClick={() =>
                      void call(`/api/v1/alerts/${a.id}`, { method: 'DELETE' }).then(load)
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

function Policies(props: {
  tenant: Tenant;
  call: <T>(path: string, init?: RequestInit) => Promise<T | undefined>;
  onSaved: (t: Tenant) => void;
}) {
  const [mode, setMode] = useState<'drop' | 'redact'>(props.tenant.transcript_mode ?? 'drop');
  const [days, setDays] = useState<Record<string, string>>(() =>
    Object.fromEntries(CLASSES.map((c) => [c, String(props.tenant.retention_days?.[c] ?? '')])),
  );
  const save = async () => {
    const retention = Object.fromEntries(
      Object.entries(days)
        .filter(([, v]) => v.trim() !== '')
        .map(([c, v]) => [c, Number(v)]),
    );
    const body = {
      transcript_mode: mode,
      ...(Object.keys(retention).length ? { retention_days: retention } : {}),
    };
    const t = await props.call<Tenant>('/api/v1/tenant', { ...json(body), method: 'PATCH' });
    if (t) props.onSaved(t);
  };
  return (
    <Card title="Policies" wide testId="policies">
      <label>
        Transcript text{' '}
        <select
          aria-label="Transcript text"
          value={mode}
          onChange={(e) => setMode(e.target.value as 'drop' | 'redact')}
        >
          <option value="drop">drop</option>
          <option value="redact">redact (kept, masked, encrypted per person)</option>
        </select>
      </label>
      {CLASSES.map((c) => (
        <label key={c}>
          {' '}
          Keep {c} (days){' '}
          <input
            aria-label={`Retention ${c}`}
            inputMode="numeric"
            size={5}
            value={days[c] ?? ''}
            onChange={(e) => setDays({ ...days, [c]: e.target.value })}
          />
        </label>
      ))}{' '}
      <button onClick={() => void save()}>Save policies</button>
    </Card>
  );
}

function KeyForm(props: { onCreate: (source: string) => Promise<void> }) {
  const [source, setSource] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (source.trim()) void props.onCreate(source.trim()).then(() => setSource(''));
      }}
    >
      <input
        aria-label="Key source"
        placeholder="source, e.g. web-app"
        value={source}
        onChange={(e) => setSource(e.target.value)}
      />
      <button type="submit">Create key</button>
    </form>
  );
}

function AlertForm(props: { onCreate: (a: Omit<Alert, 'id' | 'enabled'>) => Promise<void> }) {
  const [a, setA] = useState({
    name: '',
    metric: METRICS[0]!,
    threshold: '',
    window_minutes: '5',
    webhook_url: '',
  });
  const field = (name: keyof typeof a, label: string) => (
    <input
      aria-label={label}
      placeholder={label}
      value={a[name]}
      onChange={(e) => setA({ ...a, [name]: e.target.value })}
    />
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void props.onCreate({
          ...a,
          threshold: Number(a.threshold),
          window_minutes: Number(a.window_minutes),
        });
      }}
    >
      {field('name', 'Alert name')}
      <select
        aria-label="Metric"
        value={a.metric}
        onChange={(e) => setA({ ...a, metric: e.target.value })}
      >
        {METRICS.map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
      {field('threshold', 'Threshold')}
      {field('window_minutes', 'Window (minutes)')}
      {field('webhook_url', 'Webhook URL')}
      <button type="submit">Create alert</button>
    </form>
  );
}

function KeyTable(props: { keys: Key[]; revoke: (id: string) => void }) {
  return (
    <table>
      <Head cols={['Key', 'Source', 'Created', 'Refused from', '']} />
      <tbody>
        {props.keys.map((k) => (
          <tr key={k.id}>
            <td>{k.id}</td>
            <td>{k.source}</td>
            <td>{k.created_at.slice(0, 16).replace('T', ' ')}</td>
            <td>{k.expires_at ? k.expires_at.slice(0, 16).replace('T', ' ') : '—'}</td>
            <td>{!k.expires_at && <button onClick={() => props.revoke(k.id)}>Revoke</button>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
