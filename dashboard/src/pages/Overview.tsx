import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useState } from 'react';
import { Filters, valueOf, type WebFilter } from '../components/Filters';
import { AfterPaint, Card, COLORS, fmt, Head, Kpi, Loadable, timeLabel } from '../components/ui';
import { useQuery } from '../hooks';
import { timeRange, type Range } from '../range';

// Under a filter every figure is the segment's sessions'; top pages (every page view) give
// way to the pages those sessions entered on.
const QUERY = `query Overview($r: TimeRange!, $g: Granularity, $f: WebFilter, $filtered: Boolean!) {
  dashboardStats(timeRange: $r, granularity: $g, filter: $f) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions conversionRate revenue
    timeSeries { timestamp pageViews uniqueVisitors sessions }
  }
  topPages(timeRange: $r, limit: 10) @skip(if: $filtered) {
    url pageViews uniqueVisitors avgTimeOnPage bounceRate
  }
  landingPages(timeRange: $r, limit: 10, filter: $f) @include(if: $filtered) {
    url sessions pageViews bounceRate conversions
  }
  trafficSources(timeRange: $r, filter: $f) { source medium sessions percentage }
  devices(timeRange: $r, filter: $f) { deviceType browser os pageViews sessions }
  geo(timeRange: $r, filter: $f) { country region pageViews }
}`;

/** Sets one field of the filter: what a click on a slice, a bar or a page row does. */
type Pick = (key: keyof WebFilter, value: string) => void;

interface Data {
  dashboardStats: {
    pageViews: number;
    uniqueVisitors: number;
    sessions: number;
    bounceRate: number;
    avgSessionDuration: number;
    conversions: number;
    conversionRate: number;
    revenue: number;
    timeSeries: {
      timestamp: string;
      pageViews: number;
      uniqueVisitors: number;
      sessions: number;
    }[];
  };
  topPages?: {
    url: string;
    pageViews: number;
    uniqueVisitors: number;
    avgTimeOnPage: number;
    bounceRate: number;
  }[];
  landingPages?: {
    url: string;
    sessions: number;
    pageViews: number;
    bounceRate: number;
    conversions: number;
  }[];
  trafficSources: { source: string; medium: string | null; sessions: number; percentage: number }[];
  devices: {
    deviceType: string;
    browser: string;
    os: string;
    pageViews: number;
    sessions: number;
  }[];
  geo: { country: string | null; region: string | null; pageViews: number }[];
}

const SERIES = [
  { key: 'pageViews', name: 'Page views', color: COLORS[0], opacity: 0.15 },
  { key: 'uniqueVisitors', name: 'Visitors', color: COLORS[1], opacity: 0.1 },
  { key: 'sessions', name: 'Sessions', color: COLORS[2], opacity: 0.1 },
];

/** Sums rows by a key, largest first. */
function by<T>(rows: T[], key: (r: T) => string, value: (r: T) => number) {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + value(r));
  return [...m.entries()]
    .map(([name, v]) => ({ name, value: v }))
    .sort((a, b) => b.value - a.value);
}

/** The headline numbers of the range. */
function Kpis({ s }: { s: Data['dashboardStats'] }) {
  return (
    <div className="kpis wide" data-testid="kpis">
      <Kpi label="Page views" value={fmt.int(s.pageViews)} testId="kpi-page-views" />
      <Kpi label="Unique visitors" value={fmt.int(s.uniqueVisitors)} testId="kpi-visitors" />
      <Kpi label="Sessions" value={fmt.int(s.sessions)} testId="kpi-sessions" />
      <Kpi label="Bounce rate" value={fmt.pct(s.bounceRate)} />
      <Kpi label="Avg. session" value={fmt.secs(s.avgSessionDuration)} />
      <Kpi label="Conversions" value={`${fmt.int(s.conversions)} (${fmt.pct(s.conversionRate)})`} />
      <Kpi label="Revenue" value={fmt.money(s.revenue)} />
    </div>
  );
}

/** Page views, visitors and sessions per bucket. */
function TrafficChart({
  s,
  granularity,
}: {
  s: Data['dashboardStats'];
  granularity: Range['granularity'];
}) {
  return (
    <Card title="Traffic over time" wide testId="traffic-chart">
      {s.timeSeries.length === 0 ? (
        <div className="state empty">No traffic in this range yet.</div>
      ) : (
        <ResponsiveContainer width="100%" height={240}>
          <AreaChart data={s.timeSeries}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="timestamp"
              tickFormatter={(t: string) => fmt.time(t, granularity)}
              minTickGap={40}
            />
            <YAxis />
            <Tooltip labelFormatter={timeLabel(granularity)} />
            <Legend />
            {SERIES.map((a) => (
              <Area
                key={a.key}
                isAnimationActive={false}
                type="monotone"
                dataKey={a.key}
                name={a.name}
                stroke={a.color}
                fill={a.color}
                fillOpacity={a.opacity}
                // One bucket (the last hour at hourly grain) draws no area: show it as dots.
                dot={s.timeSeries.length < 2}
              />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      )}
    </Card>
  );
}

/** The most viewed pages, with time on page and entry bounce rate. */
function TopPages({ d, pick }: { d: Data; pick: Pick }) {
  return (
    <Card title="Top pages" testId="top-pages" span={2}>
      <table>
        <Head cols={['Page', 'Views', 'Visitors', 'Time on page', 'Bounce']} />
        <tbody>
          {(d.topPages ?? []).map((p) => (
            <tr
              key={p.url}
              className="pick"
              title="Show the sessions that entered on this page"
              onClick={() => pick('landingPage', p.url)}
            >
              <td>{p.url}</td>
              <td>{fmt.int(p.pageViews)}</td>
              <td>{fmt.int(p.uniqueVisitors)}</td>
              <td>{fmt.secs(p.avgTimeOnPage)}</td>
              <td>{fmt.pct(p.bounceRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** The pages the segment's sessions entered on. */
function LandingPages({ d, pick }: { d: Data; pick: Pick }) {
  return (
    <Card title="Landing pages" testId="landing-pages" span={2}>
      <table>
        <Head cols={['Page', 'Sessions', 'Page views', 'Bounce', 'Conversions']} />
        <tbody>
          {(d.landingPages ?? []).map((p) => (
            <tr key={p.url} className="pick" onClick={() => pick('landingPage', p.url)}>
              <td>{p.url || 'unknown'}</td>
              <td>{fmt.int(p.sessions)}</td>
              <td>{fmt.int(p.pageViews)}</td>
              <td>{fmt.pct(p.bounceRate)}</td>
              <td>{fmt.int(p.conversions)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** Sessions by the source they arrived from. */
function Sources({ d, pick }: { d: Data; pick: Pick }) {
  return (
    <Card title="Traffic sources" testId="sources">
      {/* The legend goes below: beside the pie, long source names covered it. */}
      <AfterPaint height={320}>
        <ResponsiveContainer width="100%" height={320}>
          <PieChart>
            <Pie
              isAnimationActive={false}
              data={d.trafficSources.map((t) => ({
                name: t.medium ? `${t.source} / ${t.medium}` : t.source,
                value: t.sessions,
              }))}
              dataKey="value"
              nameKey="name"
              outerRadius={80}
              cursor="pointer"
              onClick={(_, i) => {
                const source = d.trafficSources[i]?.source;
                if (source !== undefined) pick('source', source);
              }}
            >
              {d.trafficSources.map((t, i) => (
                <Cell key={`${t.source}-${t.medium}`} fill={COLORS[i % COLORS.length]} />
              ))}
            </Pie>
            <Tooltip />
            <Legend verticalAlign="bottom" />
          </PieChart>
        </ResponsiveContainer>
      </AfterPaint>
    </Card>
  );
}

/** Sessions by device type, page views by browser. */
function Devices({ d, pick }: { d: Data; pick: Pick }) {
  const kinds = by(
    d.devices,
    (r) => r.deviceType || 'unknown',
    (r) => r.sessions,
  );
  return (
    <Card title="Devices" testId="devices">
      <AfterPaint height={220}>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={kinds}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" />
            <YAxis />
            <Tooltip />
            <Bar
              isAnimationActive={false}
              dataKey="value"
              name="Sessions"
              fill={COLORS[4]}
              cursor="pointer"
              onClick={(_, i) => {
                const kind = kinds[i];
                if (kind) pick('deviceType', valueOf(kind.name));
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      </AfterPaint>
      <div className="chips">
        {by(
          d.devices,
          (r) => r.browser,
          (r) => r.pageViews,
        )
          // Under a filter, devices come by type only (no browser).
          .filter((b) => b.name)
          .slice(0, 6)
          .map((b) => (
            <span key={b.name} className="chip">
              {b.name}: {fmt.int(b.value)}
            </span>
          ))}
      </div>
    </Card>
  );
}

/** Page views by country, the ten largest. */
function Countries({ d, pick }: { d: Data; pick: Pick }) {
  const top = by(
    d.geo,
    (r) => r.country ?? 'unknown',
    (r) => r.pageViews,
  ).slice(0, 10);
  return (
    <Card title="Countries" testId="countries">
      <AfterPaint height={240}>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart layout="vertical" data={top}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" />
            <YAxis type="category" dataKey="name" width={76} interval={0} />
            <Tooltip />
            <Bar
              isAnimationActive={false}
              dataKey="value"
              name="Page views"
              fill={COLORS[5]}
              cursor="pointer"
              onClick={(_, i) => {
                const country = top[i];
                if (country) pick('country', valueOf(country.name));
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      </AfterPaint>
    </Card>
  );
}

export function Overview(props: { token: string; range: Range }) {
  const [filter, setFilter] = useState<WebFilter>({});
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const state = useQuery<Data>(
    props.token,
    QUERY,
    {
      r: timeRange(props.range),
      g: props.range.granularity,
      f: filtered ? filter : null,
      filtered,
    },
    30_000,
  );
  const pick: Pick = (key, value) => setFilter((f) => ({ ...f, [key]: value }));
  return (
    <Loadable state={state}>
      {(d) => (
        <div className="grid">
          <Filters value={filter} onChange={setFilter} />
          <Kpis s={d.dashboardStats} />
          <TrafficChart s={d.dashboardStats} granularity={props.range.granularity} />
          {d.landingPages ? <LandingPages d={d} pick={pick} /> : <TopPages d={d} pick={pick} />}
          <Sources d={d} pick={pick} />
          <Devices d={d} pick={pick} />
          <Countries d={d} pick={pick} />
        </div>
      )}
    </Loadable>
  );
}
