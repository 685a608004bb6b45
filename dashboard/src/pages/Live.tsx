import { useEffect, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { live, rest } from '../api';
import { Card, clockLabel, COLORS, fmt, Head, Kpi, Loadable } from '../components/ui';
import { useQuery } from '../hooks';

interface LiveStats {
  at: string;
  events: number;
  pageViews: number;
  sessions: number;
  eventsPerMinute: number;
}
interface Component {
  name: string;
  status: 'up' | 'down';
  detail: string;
  lag?: number;
}

const SUMMARY = `query Realtime { realtimeSummary { at activeSessions eventsPerMinute latencyP50Ms successRate } }`;

/** The last minutes of traffic, pushed every second over the GraphQL subscription. */
function useLiveStats(token: string) {
  const [points, setPoints] = useState<LiveStats[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const stop = live(token).subscribe<{ liveStats: LiveStats }>(
      {
        query:
          'subscription { liveStats(windowMinutes: 5) { at events pageViews sessions eventsPerMinute } }',
      },
      {
        next: (msg) => {
          const s = msg.data?.liveStats;
          if (s) setPoints((ps) => [...ps.slice(-119), s]);
        },
        error: (err) => setError(err instanceof Error ? err.message : 'the live connection closed'),
        complete: () => undefined,
      },
    );
    return stop;
  }, [token]);
  return { points, error };
}

export function Live(props: { token: string }) {
  const { points, error } = useLiveStats(props.token);
  const summary = useQuery<{
    realtimeSummary: {
      activeSessions: number;
      eventsPerMinute: number;
      latencyP50Ms: number | null;
      successRate: number | null;
    };
  }>(props.token, SUMMARY, {}, 5000);
  const [components, setComponents] = useState<{ data?: Component[]; error?: string }>({});
  useEffect(() => {
    const load = () =>
      rest<{ data: Component[] }>(props.token, '/api/v1/ops/components').then(
        (r) => setComponents({ data: r.data }),
        (e: Error) => setComponents({ error: e.message }),
      );
    void load();
    const t = setInterval(() => void load(), 5000);
    return () => clearInterval(t);
  }, [props.token]);
  const last = points.at(-1);
  return (
    <div className="grid">
      <div className="kpis wide">
        <Kpi
          label="Events in the last 5 min (live)"
          value={last ? fmt.int(last.events) : '…'}
          testId="live-events"
        />
        <Kpi
          label="Events per minute"
          value={last ? fmt.int(last.eventsPerMinute) : '…'}
          testId="live-rate"
        />
        <Kpi
          label="Active STT sessions"
          value={summary.data ? fmt.int(summary.data.realtimeSummary.activeSessions) : '…'}
        />
        <Kpi label="STT latency p50" value={fmt.ms(summary.data?.realtimeSummary.latencyP50Ms)} />
        <Kpi
          label="STT success rate (1 h)"
          value={
            summary.data?.realtimeSummary.successRate == null
              ? '–'
              : fmt.pct(summary.data.realtimeSummary.successRate)
          }
        />
      </div>
      <Card title="Events per minute, live" wide>
        {error ? (
          <div className="state error" role="alert">
            Live updates stopped: {error}
          </div>
        ) : (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={points}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="at"
                tickFormatter={(t: string) => new Date(t).toLocaleTimeString('en-GB')}
                minTickGap={50}
              />
              <YAxis />
              <Tooltip labelFormatter={clockLabel} />
              <Line
                isAnimationActive={false}
                type="monotone"
                dataKey="eventsPerMinute"
                stroke={COLORS[0]}
                dot={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Components" wide testId="components">
        <Loadable
          state={{ data: components.data, error: components.error, loading: !components.data }}
        >
          {(list) => (
            <table>
              <Head cols={['Component', 'Status', 'Detail', 'Consumer lag']} />
              <tbody>
                {list.map((c) => (
                  <tr key={c.name}>
                    <td>{c.name}</td>
                    <td>
                      <span className={`dot ${c.status}`} /> {c.status}
                    </td>
                    <td>{c.detail}</td>
                    <td>{c.lag === undefined ? '–' : fmt.int(c.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Loadable>
      </Card>
    </div>
  );
}
