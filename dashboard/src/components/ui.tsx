import { startTransition, useEffect, useState, type ReactNode } from 'react';
import type { Loaded } from '../hooks';

export function Card(props: {
  title: string;
  children: ReactNode;
  wide?: boolean;
  /** Columns of the grid it takes (default 1; wide: all). */
  span?: number;
  testId?: string;
}) {
  return (
    <section
      className={`card${props.wide ? ' wide' : ''}`}
      style={props.span ? { gridColumn: `span ${props.span}` } : undefined}
      data-testid={props.testId}
    >
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A table's header row. */
export function Head(props: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {props.cols.map((c) => (
          <th key={c}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

export function Kpi(props: { label: string; value: string; testId?: string }) {
  return (
    <div className="kpi" data-testid={props.testId}>
      <div className="kpi-value">{props.value}</div>
      <div className="kpi-label">{props.label}</div>
    </div>
  );
}

/**
 * Renders its children only after the page around it has painted, as a transition React may
 * interrupt. Recharts lays out every chart in the task that mounts it (about 0.3 s a chart
 * on this machine's two busy cores), so charts below the fold go here and the numbers above
 * them show first. Until then, a box of the same height keeps the layout still.
 */
export function AfterPaint(props: { height: number; children: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => startTransition(() => setReady(true)), 0);
    return () => clearTimeout(timer);
  }, []);
  return ready ? (
    <>{props.children}</>
  ) : (
    <div className="state loading" style={{ height: props.height }} aria-busy="true" />
  );
}

/** Loading, error and empty states around what a query loaded. */
export function Loadable<T>(props: {
  state: Loaded<T>;
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  const { data, error, loading } = props.state;
  if (error)
    return (
      <div className="state error" role="alert">
        Could not load: {error}
      </div>
    );
  if (data === undefined)
    return <div className="state loading">{loading ? 'Loading…' : 'No data'}</div>;
  if (props.empty?.(data)) return <div className="state empty">No data in this range yet.</div>;
  return <>{props.children(data)}</>;
}

// Intl formatters are costly to make (toLocaleString with options makes one per call), and
// Recharts formats every tick several times while it lays out an axis: make each once.
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const HOUR = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const DAY = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', timeZone: 'UTC' });

export const fmt = {
  int: (n: number) => INT.format(Math.round(n)),
  pct: (x: number) => `${(x * 100).toFixed(1)} %`,
  secs: (s: number) =>
    s >= 60 ? `${Math.floor(s / 60)} m ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`,
  money: (x: number) => USD.format(x),
  ms: (x: number | null | undefined) => (x == null ? '–' : `${Math.round(x)} ms`),
  num: (x: number | null | undefined, digits = 2) => (x == null ? '–' : x.toFixed(digits)),
  time: (iso: string, granularity = 'HOUR') =>
    (granularity === 'HOUR' ? HOUR : DAY).format(new Date(iso)),
};

export const COLORS = [
  '#2563eb',
  '#16a34a',
  '#f59e0b',
  '#dc2626',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
];

/** A chart tooltip's label (an ISO time) as a time of the chart's granularity. */
export const timeLabel =
  (granularity: string) =>
  (label: ReactNode): ReactNode =>
    typeof label === 'string' ? fmt.time(label, granularity) : label;

/** The same as a clock time (live charts). */
export const clockLabel = (label: ReactNode): ReactNode =>
  typeof label === 'string' ? new Date(label).toLocaleTimeString('en-GB') : label;
