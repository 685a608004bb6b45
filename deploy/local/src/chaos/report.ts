import { FAULT_TEXT } from './schedule.js';
import type { ChaosReport } from './run.js';

const n = (x: number) => x.toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Ids to print for a loss or a copy: enough to look them up, not a flood. */
const SHOWN = 20;

/** The chaos run's report as text: per stream, the rollups, each fault, the verdict. */
export function formatReport(r: ChaosReport): string[] {
  const lines: string[] = [];
  lines.push(
    `chaos run: ${n(r.rate)} events/s offered for ${s(r.durationMs)}, seed ${r.seed}; ${n(r.sent.events)} events sent (${n(Math.round(r.sent.events / (r.durationMs / 1000)))}/s on average: sessions start at the offered rate, their events follow over minutes) in ${n(r.sent.requests)} requests, ${n(r.sent.retried)} sent again after a refusal or no answer`,
  );
  const k = r.sdk;
  lines.push(
    `SDK lane (EventTracker): ${n(k.rate)} events/s tracked, ${n(k.tracked)} in all; held at most ${n(k.peakQueued)} of its cap ${n(k.maxQueue)}; ${n(k.dropped)} dropped by the cap (never accepted); ${n(k.requests)} requests, ${n(k.refusedRequests)} not accepted; ${n(k.leftOver)} held at the end`,
  );
  lines.push(
    'per stream: accepted (202) | distinct ids in raw table | rows | lost | doubled | DLQ',
  );
  for (const x of r.streams) {
    lines.push(
      `  ${x.stream.padEnd(15)} ${n(x.accepted).padStart(9)} | ${n(x.distinct).padStart(9)} | ${n(x.rows).padStart(9)} | ${String(x.lost.length).padStart(4)} | ${String(x.doubled.length).padStart(4)} | ${x.dlq}` +
        (x.unacknowledged > 0
          ? `  (${n(x.unacknowledged)} stored whose 202 the client never saw)`
          : ''),
    );
    if (x.lost.length > 0)
      lines.push(
        `    lost: ${x.lost.slice(0, SHOWN).join(' ')}${x.lost.length > SHOWN ? ' …' : ''}`,
      );
    if (x.doubled.length > 0)
      lines.push(
        `    doubled: ${x.doubled
          .slice(0, SHOWN)
          .map(
            ([id, c]) => `${id}×${c}${x.copies[id] ? ` (events ${x.copies[id].join(', ')})` : ''}`,
          )
          .join(' ')}${x.doubled.length > SHOWN ? ' …' : ''}`,
      );
  }
  const off = r.rollups.filter((x) => x.stored !== x.fromRaw);
  lines.push(
    `rollups: ${r.rollups.length} summed columns of ${new Set(r.rollups.map((x) => x.table)).size} tables against their views over the raw rows; ${off.length} differ`,
  );
  for (const x of off)
    lines.push(
      `  ${x.table}.${x.column}: ${n(x.stored)} stored, ${n(x.fromRaw)} from the raw rows`,
    );
  lines.push('faults: at | held | recovered after heal | gateway answers meanwhile | peak RSS MiB');
  for (const f of r.faults) {
    const answers = Object.entries(f.answers)
      .map(([st, c]) => `${st === '0' ? 'none' : st}×${c}`)
      .join(' ');
    const rss = Object.entries(f.peakRss)
      .map(([name, mib]) => `${name} ${mib}`)
      .join(', ');
    lines.push(
      `  +${s(f.at).padStart(7)} ${FAULT_TEXT[f.kind]}: held ${s(f.holdMs)}, recovered ${f.recoveryMs === undefined ? 'NEVER' : `in ${s(f.recoveryMs)}`}; ${answers || 'no requests'}; ${rss}`,
    );
  }
  lines.push(
    `peak RSS over the run (MiB): ${Object.entries(r.peakRss)
      .map(([name, mib]) => `${name} ${mib}`)
      .join(', ')}`,
  );
  const lost = r.streams.reduce((a, x) => a + x.lost.length, 0);
  const doubled = r.streams.reduce((a, x) => a + x.doubled.length, 0);
  lines.push(
    r.ok
      ? `OK: ${lost} lost, ${doubled} doubled, rollups equal to their raw rows, every fault recovered`
      : `FAILED: ${lost} lost, ${doubled} doubled, ${off.length} rollup columns differ, ${r.faults.filter((f) => f.recoveryMs === undefined).length} faults without recovery${r.drained ? '' : ', not drained in time'}${k.leftOver > 0 ? `, ${n(k.leftOver)} still held by the SDK` : ''}`,
  );
  return lines;
}
