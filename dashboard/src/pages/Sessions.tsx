import { useEffect, useState } from 'react';
import { gql } from '../api';
import { Card, fmt, Head, Loadable } from '../components/ui';
import { useQuery } from '../hooks';
import { timeRange, type Range } from '../range';

const LIST = `query Sessions($r: TimeRange!, $after: String) {
  sessions(filter: { timeRange: $r }, pagination: { first: 25, after: $after }) {
    nodes { id startedAt durationSeconds pageViews isBounce entryPage exitPage source }
    pageInfo { endCursor hasNextPage }
  }
}`;
const ONE = `query Session($id: ID!) {
  session(id: $id) {
    id startedAt endedAt durationSeconds pageViews isBounce entryPage exitPage source
    events { id eventType timestamp url deviceType country properties }
  }
}`;

interface SessionRow {
  id: string;
  startedAt: string;
  durationSeconds: number | null;
  pageViews: number;
  isBounce: boolean;
  entryPage: string | null;
  exitPage: string | null;
  source: string | null;
}
interface SessionDetail extends SessionRow {
  endedAt: string | null;
  events: {
    id: string;
    eventType: string;
    timestamp: string;
    url: string | null;
    deviceType: string | null;
    country: string | null;
    properties: unknown;
  }[];
}

function Timeline(props: { token: string; id: string; onClose: () => void }) {
  const state = useQuery<{ session: SessionDetail | null }>(props.token, ONE, { id: props.id });
  return (
    <Card title="Session timeline" wide testId="session-timeline">
      <button onClick={props.onClose}>← Back to the list</button>
      <Loadable state={state} empty={(d) => d.session === null}>
        {(d) => {
          const s = d.session as SessionDetail;
          const start = new Date(s.startedAt).getTime();
          return (
            <>
              <p>
                {s.source ?? 'unknown source'} · {s.pageViews} page views ·{' '}
                {s.durationSeconds == null ? '–' : fmt.secs(s.durationSeconds)}
                {s.isBounce ? ' · bounce' : ''}
              </p>
              <ol className="timeline">
                {s.events.map((e) => (
                  <li key={e.id}>
                    <span className="t">
                      +{((new Date(e.timestamp).getTime() - start) / 1000).toFixed(0)} s
                    </span>
                    <span className={`badge ${e.eventType}`}>{e.eventType}</span> {e.url ?? ''}
                    <span className="muted">
                      {' '}
                      {e.deviceType ?? ''} {e.country ?? ''}
                    </span>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Loadable>
    </Card>
  );
}

export function Sessions(props: { token: string; range: Range }) {
  const [rows, setRows] = useState<SessionRow[]>([]);
  const [cursor, setCursor] = useState<{ next: string | null; more: boolean }>({
    next: null,
    more: false,
  });
  const [state, setState] = useState<{ loading: boolean; error?: string }>({ loading: true });
  const [open, setOpen] = useState<string>();
  const load = (after: string | null, reset: boolean) => {
    setState({ loading: true });
    gql<{
      sessions: {
        nodes: SessionRow[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
    }>(props.token, LIST, { r: timeRange(props.range), after }).then(
      (d) => {
        setRows((r) => (reset ? d.sessions.nodes : [...r, ...d.sessions.nodes]));
        setCursor({ next: d.sessions.pageInfo.endCursor, more: d.sessions.pageInfo.hasNextPage });
        setState({ loading: false });
      },
      (e: Error) => setState({ loading: false, error: e.message }),
    );
  };
  useEffect(() => load(null, true), [props.token, props.range.start, props.range.end]);
  if (open) return <Timeline token={props.token} id={open} onClose={() => setOpen(undefined)} />;
  return (
    <Card title="Sessions, newest first" wide testId="sessions-list">
      <Loadable
        state={{
          data: state.loading && rows.length === 0 ? undefined : rows,
          error: state.error,
          loading: state.loading,
        }}
        empty={(r) => r.length === 0}
      >
        {(list) => (
          <>
            <table>
              <Head cols={['Started', 'Source', 'Entry', 'Exit', 'Page views', 'Duration']} />
              <tbody>
                {list.map((s) => (
                  <tr key={s.id} className="clickable" onClick={() => setOpen(s.id)}>
                    <td>{fmt.time(s.startedAt)}</td>
                    <td>{s.source ?? '–'}</td>
                    <td>{s.entryPage ?? '–'}</td>
                    <td>{s.exitPage ?? '–'}</td>
                    <td>
                      {s.pageViews}
                      {s.isBounce ? ' (bounce)' : ''}
                    </td>
                    <td>{s.durationSeconds == null ? '–' : fmt.secs(s.durationSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cursor.more && (
              <button disabled={state.loading} onClick={() => load(cursor.next, false)}>
                Load more
              </button>
            )}
          </>
        )}
      </Loadable>
    </Card>
  );
}
