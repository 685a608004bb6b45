import { useState } from 'react';
import { TABLES } from '@backbone/warehouse/tables';
import { Card } from '../components/ui';

interface Result {
  meta: { name: string; type: string }[];
  data: unknown[][];
  rows: number;
}

const EXAMPLE = `SELECT page_path, count() AS views
FROM ${TABLES.webEvents}
WHERE event_type = 'page_view' AND occurred_at > now() - INTERVAL 1 DAY
GROUP BY page_path
ORDER BY views DESC
LIMIT 20`;

async function run(token: string, sql: string, format: 'json' | 'csv'): Promise<Response> {
  return fetch('/api/v1/sql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql, format }),
  });
}

/** Admins' read-only SQL over their tenant's tables (POST /api/v1/sql), audited by the service. */
export function SqlConsole(props: { token: string; admin: boolean }) {
  const [sql, setSql] = useState(EXAMPLE);
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!props.admin)
    return (
      <div className="state error" role="alert">
        The SQL console is for the admin role.
      </div>
    );
  const execute = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await run(props.token, sql, 'json');
      const body = (await res.json()) as Result & { message?: string };
      if (!res.ok) throw new Error(body.message ?? `failed (${res.status})`);
      setResult(body);
    } catch (e) {
      setResult(undefined);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const exportCsv = async () => {
    const res = await run(props.token, sql, 'csv');
    if (!res.ok) {
      setError(((await res.json()) as { message?: string }).message ?? 'export failed');
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = 'query.csv';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Card title="SQL console (read-only, your tenant's tables)" wide testId="sql-console">
      <textarea
        aria-label="SQL"
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        rows={8}
        spellCheck={false}
      />
      <div className="row">
        <button onClick={() => void execute()} disabled={busy}>
          {busy ? 'Running…' : 'Run'}
        </button>
        <button onClick={() => void exportCsv()} disabled={busy}>
          Export CSV
        </button>
        {result && (
          <span className="muted" data-testid="sql-rows">
            {result.rows} rows
          </span>
        )}
      </div>
      {error && (
        <div className="state error" role="alert">
          {error}
        </div>
      )}
      {result && (
        <div className="scroll">
          <table data-testid="sql-result">
            <thead>
              <tr>
                {result.meta.map((m) => (
                  <th key={m.name} title={m.type}>
                    {m.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.data.map((row, i) => (
                <tr key={i}>
                  {row.map((v, j) => (
                    <td key={j}>
                      {v === null
                        ? 'NULL'
                        : typeof v === 'object'
                          ? JSON.stringify(v)
                          : String(v as string | number | boolean)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
