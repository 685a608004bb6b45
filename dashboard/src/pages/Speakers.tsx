import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Card, COLORS, fmt, Head, Loadable } from '../components/ui';
import { useQuery } from '../hooks';
import { timeRange, type Range } from '../range';

const SESSIONS = `query SpeakerSessions($r: TimeRange!) {
  sttSessions(timeRange: $r, first: 100) {
    nodes { id startedAt model language diarization durationMs words speakers speakerChanges status }
  }
}`;
const SPEAKERS = `query Speakers($id: ID!) {
  speakerMetrics(sessionId: $id) { speakerId talkMs talkShare segments words changesTo }
}`;

interface SttSession {
  id: string;
  startedAt: string;
  model: string | null;
  language: string | null;
  diarization: boolean;
  durationMs: number | null;
  words: number;
  speakers: number;
  speakerChanges: number;
  status: string;
}
interface Speaker {
  speakerId: string;
  talkMs: number;
  talkShare: number;
  segments: number;
  words: number;
  changesTo: number;
}

function SpeakerSplit(props: { token: string; id: string }) {
  const state = useQuery<{ speakerMetrics: Speaker[] }>(props.token, SPEAKERS, { id: props.id });
  return (
    <Card title="Talk-time split" testId="talk-split">
      <Loadable state={state} empty={(d) => d.speakerMetrics.length === 0}>
        {(d) => (
          <>
            <ResponsiveContainer width="100%" height={200}>
              <PieChart>
                <Pie
                  isAnimationActive={false}
                  data={d.speakerMetrics}
                  dataKey="talkMs"
                  nameKey="speakerId"
                  outerRadius={70}
                  // Speaker ids are tokens (t_ + 32 hex): a chart label shows their start.
                  label={({ name }: { name?: string }) => shortId(name ?? '')}
                >
                  {d.speakerMetrics.map((s, i) => (
                    <Cell key={s.speakerId} fill={COLORS[i % COLORS.length]} />
                  ))}
                </Pie>
                <Tooltip formatter={(v) => `${(Number(v) / 1000).toFixed(1)} s`} />
              </PieChart>
            </ResponsiveContainer>
            <table>
              <Head cols={['Speaker', 'Talk', 'Share', 'Segments', 'Words', 'Turns to']} />
              <tbody>
                {d.speakerMetrics.map((s) => (
                  <tr key={s.speakerId}>
                    <td>{s.speakerId}</td>
                    <td>{fmt.secs(s.talkMs / 1000)}</td>
                    <td>{fmt.pct(s.talkShare)}</td>
                    <td>{s.segments}</td>
                    <td>{s.words}</td>
                    <td>{s.changesTo}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loadable>
    </Card>
  );
}

const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 10)}…` : id);

export function Speakers(props: { token: string; range: Range }) {
  const state = useQuery<{ sttSessions: { nodes: SttSession[] } }>(
    props.token,
    SESSIONS,
    { r: timeRange(props.range) },
    30_000,
  );
  const [chosen, setChosen] = useState<string>();
  return (
    <Loadable state={state} empty={(d) => d.sttSessions.nodes.length === 0}>
      {(d) => {
        const sessions = d.sttSessions.nodes;
        const histogram = [1, 2, 3, 4].map((n) => ({
          speakers: n === 4 ? '4+' : String(n),
          sessions: sessions.filter((s) => (n === 4 ? s.speakers >= 4 : s.speakers === n)).length,
        }));
        const id = chosen ?? sessions.find((s) => s.speakers > 1)?.id ?? sessions[0]?.id;
        return (
          <div className="grid">
            <Card title="Speakers per session (latest 100 sessions)">
              <ResponsiveContainer width="100%" height={200}>
                <BarChart data={histogram}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="speakers" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Bar isAnimationActive={false} dataKey="sessions" fill={COLORS[0]} />
                </BarChart>
              </ResponsiveContainer>
            </Card>
            {id && <SpeakerSplit token={props.token} id={id} />}
            <Card title="Sessions: speakers and speaker changes" wide>
              <table>
                <Head
                  cols={[
                    'Started',
                    'Model',
                    'Language',
                    'Duration',
                    'Words',
                    'Speakers',
                    'Changes',
                    'Status',
                  ]}
                />
                <tbody>
                  {sessions.map((s) => (
                    <tr
                      key={s.id}
                      className={s.id === id ? 'selected' : ''}
                      onClick={() => setChosen(s.id)}
                    >
                      <td>{fmt.time(s.startedAt)}</td>
                      <td>{s.model ?? '–'}</td>
                      <td>{s.language ?? '–'}</td>
                      <td>{s.durationMs == null ? '–' : fmt.secs(s.durationMs / 1000)}</td>
                      <td>{s.words}</td>
                      <td>{s.speakers}</td>
                      <td>{s.speakerChanges}</td>
                      <td>{s.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          </div>
        );
      }}
    </Loadable>
  );
}
