import { useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Card, COLORS, fmt, Head, Loadable, timeLabel } from '../components/ui';
import { useQuery } from '../hooks';
import { timeRange, type Range } from '../range';

const QUERY = `query Quality($r: TimeRange!, $g: Granularity, $model: String, $language: String) {
  sttQuality(timeRange: $r, granularity: $g, model: $model, language: $language) {
    timestamp model language segments finalWords wordsPerMinute avgConfidence
    latencyP50 latencyP95 latencyP99 realTimeFactorP50 sessionsStarted errors errorRate
  }
  modelPerformance(timeRange: $r, language: $language) {
    model sessionsStarted segments finalWords avgConfidence latencyP50 latencyP95 latencyP99 realTimeFactorP50 errors errorRate
  }
  sttLanguages(timeRange: $r, model: $model) { language sessionsStarted }
}`;

interface Point {
  timestamp: string;
  model: string;
  language: string;
  segments: number;
  finalWords: number;
  wordsPerMinute: number | null;
  avgConfidence: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  realTimeFactorP50: number | null;
  sessionsStarted: number;
  errors: number;
  errorRate: number;
}
interface Data {
  sttQuality: Point[];
  sttLanguages: { language: string; sessionsStarted: number }[];
  modelPerformance: {
    model: string;
    sessionsStarted: number;
    segments: number;
    finalWords: number;
    avgConfidence: number | null;
    latencyP50: number | null;
    latencyP95: number | null;
    latencyP99: number | null;
    realTimeFactorP50: number | null;
    errors: number;
    errorRate: number;
  }[];
}

/** One row per bucket with one column per model: `pick` of that model's points there. */
function perModel(points: Point[], pick: (p: Point[]) => number | null) {
  const models = [...new Set(points.map((p) => p.model).filter(Boolean))].sort();
  const buckets = [...new Set(points.map((p) => p.timestamp))].sort();
  return {
    models,
    rows: buckets.map((t) => {
      const row: Record<string, unknown> = { timestamp: t };
      for (const m of models) {
        const here = points.filter((p) => p.timestamp === t && p.model === m);
        if (here.length) row[m] = pick(here);
      }
      return row;
    }),
  };
}

const weighted = (ps: Point[], f: (p: Point) => number | null) => {
  let sum = 0;
  let w = 0;
  for (const p of ps) {
    const v = f(p);
    if (v != null) {
      sum += v * (p.segments || 1);
      w += p.segments || 1;
    }
  }
  return w ? sum / w : null;
};

function ModelLines(props: {
  title: string;
  data: ReturnType<typeof perModel>;
  granularity: string;
  unit?: string;
}) {
  return (
    <Card title={props.title}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={props.data.rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="timestamp"
            tickFormatter={(t: string) => fmt.time(t, props.granularity)}
            minTickGap={40}
          />
          <YAxis unit={props.unit} />
          <Tooltip labelFormatter={timeLabel(props.granularity)} />
          <Legend />
          {props.data.models.map((m, i) => (
            <Line
              isAnimationActive={false}
              key={m}
              type="monotone"
              dataKey={m}
              stroke={COLORS[i % COLORS.length]}
              dot={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Card>
  );
}

/** Latency percentiles over time for one model, chosen from those with traffic. */
function LatencyCard({ d, granularity }: { d: Data; granularity: Range['granularity'] }) {
  const [model, setModel] = useState('');
  const models = d.modelPerformance.map((m) => m.model).filter(Boolean);
  const chosen = model || models[0] || '';
  const latency = [...new Set(d.sttQuality.map((p) => p.timestamp))].sort().map((t) => {
    const here = d.sttQuality.filter((p) => p.timestamp === t && p.model === chosen);
    return {
      timestamp: t,
      p50: weighted(here, (p) => p.latencyP50),
      p95: weighted(here, (p) => p.latencyP95),
      p99: weighted(here, (p) => p.latencyP99),
    };
  });
  return (
    <Card title={`Latency p50 / p95 / p99 — ${chosen}`} testId="latency-chart">
      <select aria-label="Model" value={chosen} onChange={(e) => setModel(e.target.value)}>
        {models.map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={latency}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="timestamp"
            tickFormatter={(t: string) => fmt.time(t, granularity)}
            minTickGap={40}
          />
          <YAxis unit=" ms" />
          <Tooltip labelFormatter={timeLabel(granularity)} />
          <Legend />
          {(['p50', 'p95', 'p99'] as const).map((p, k) => (
            <Line
              key={p}
              isAnimationActive={false}
              type="monotone"
              dataKey={p}
              stroke={COLORS[k + 1]}
              dot={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Card>
  );
}

/** Every model's totals over the range. */
function ModelsTable({ d }: { d: Data }) {
  return (
    <Card title="Models" wide>
      <table>
        <Head
          cols={[
            'Model',
            'Sessions',
            'Segments',
            'Words',
            'Confidence',
            'Latency p50 / p95 / p99',
            'RTF p50',
            'Error rate',
          ]}
        />
        <tbody>
          {d.modelPerformance.map((m) => (
            <tr key={m.model}>
              <td>{m.model || '(none)'}</td>
              <td>{fmt.int(m.sessionsStarted)}</td>
              <td>{fmt.int(m.segments)}</td>
              <td>{fmt.int(m.finalWords)}</td>
              <td>{fmt.num(m.avgConfidence, 3)}</td>
              <td>
                {fmt.ms(m.latencyP50)} / {fmt.ms(m.latencyP95)} / {fmt.ms(m.latencyP99)}
              </td>
              <td>{fmt.num(m.realTimeFactorP50, 3)}</td>
              <td>{fmt.pct(m.errorRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** Sessions and errors per model and language. */
function ErrorsByLanguage({ d }: { d: Data }) {
  const byLanguage = new Map<string, { started: number; errors: number }>();
  for (const p of d.sttQuality) {
    const key = `${p.model || '(any)'}|${p.language || '(unknown)'}`;
    const e = byLanguage.get(key) ?? { started: 0, errors: 0 };
    e.started += p.sessionsStarted;
    e.errors += p.errors;
    byLanguage.set(key, e);
  }
  return (
    <Card title="Error rate by model and language" wide testId="errors-by-language">
      <table>
        <Head cols={['Model', 'Language', 'Sessions', 'Errors', 'Error rate']} />
        <tbody>
          {[...byLanguage.entries()].sort().map(([k, v]) => {
            const [m, l] = k.split('|');
            return (
              <tr key={k}>
                <td>{m}</td>
                <td>{l}</td>
                <td>{fmt.int(v.started)}</td>
                <td>{fmt.int(v.errors)}</td>
                <td>{v.started ? fmt.pct(v.errors / v.started) : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

/** A choice among `options` (with sessions started), or any; a chosen value stays listed. */
function Facet(props: {
  label: string;
  value: string | null;
  options: { name: string; sessions: number }[];
  onChange: (value: string | null) => void;
}) {
  const options = props.options.some((o) => o.name === props.value)
    ? props.options
    : props.value === null
      ? props.options
      : [{ name: props.value, sessions: 0 }, ...props.options];
  return (
    <select
      aria-label={props.label}
      value={props.value ?? '*'}
      onChange={(e) => props.onChange(e.target.value === '*' ? null : e.target.value)}
    >
      <option value="*">{`Any ${props.label.replace('Filter by ', '')}`}</option>
      {options.map((o) => (
        <option key={o.name} value={o.name}>
          {`${o.name || 'unknown'} (${fmt.int(o.sessions)})`}
        </option>
      ))}
    </select>
  );
}

export function SttQuality(props: { token: string; range: Range }) {
  const [model, setModel] = useState<string | null>(null);
  const [language, setLanguage] = useState<string | null>(null);
  const state = useQuery<Data>(
    props.token,
    QUERY,
    { r: timeRange(props.range), g: props.range.granularity, model, language },
    30_000,
  );
  const granularity = props.range.granularity;
  const facets = state.data;
  return (
    <>
      <div className="filters bar" data-testid="stt-filters">
        <Facet
          label="Filter by model"
          value={model}
          options={(facets?.modelPerformance ?? []).map((m) => ({
            name: m.model,
            sessions: m.sessionsStarted,
          }))}
          onChange={setModel}
        />
        <Facet
          label="Filter by language"
          value={language}
          options={(facets?.sttLanguages ?? []).map((l) => ({
            name: l.language,
            sessions: l.sessionsStarted,
          }))}
          onChange={setLanguage}
        />
      </div>
      <Loadable state={state} empty={(d) => d.sttQuality.length === 0}>
        {(d) => (
          <div className="grid">
            <ModelLines
              title="Average confidence by model"
              data={perModel(d.sttQuality, (ps) => weighted(ps, (p) => p.avgConfidence))}
              granularity={granularity}
            />
            <LatencyCard d={d} granularity={granularity} />
            <ModelLines
              title="Real-time factor (p50) by model"
              data={perModel(d.sttQuality, (ps) => weighted(ps, (p) => p.realTimeFactorP50))}
              granularity={granularity}
            />
            <ModelLines
              title="Words per minute by model"
              data={perModel(d.sttQuality, (ps) => weighted(ps, (p) => p.wordsPerMinute))}
              granularity={granularity}
            />
            <ModelsTable d={d} />
            <ErrorsByLanguage d={d} />
          </div>
        )}
      </Loadable>
    </>
  );
}
