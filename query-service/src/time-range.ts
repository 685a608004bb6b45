import { badInput } from './errors.js';

export const GRANULARITIES = { HOUR: 'hour', DAY: 'day', WEEK: 'week', MONTH: 'month' } as const;
export type Granularity = keyof typeof GRANULARITIES;

export interface TimeRange {
  start: Date;
  end: Date;
}

/** A range a query may run over: start before end, neither invalid, at most maxDays long. */
export function checkRange(range: TimeRange, maxDays: number): TimeRange {
  const { start, end } = range;
  if (Number.isNaN(start.getTime())) throw badInput('timeRange.start is not a valid date-time');
  if (Number.isNaN(end.getTime())) throw badInput('timeRange.end is not a valid date-time');
  if (end <= start) throw badInput('timeRange.end must be after timeRange.start');
  if (end.getTime() - start.getTime() > maxDays * 86_400_000)
    throw badInput(`timeRange covers more than ${maxDays} days`);
  return range;
}

/** ClickHouse DateTime64(3) text for a bound parameter, in UTC. */
export const chTime = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * Where a range splits into grains (UTC, as the rollups): minutes [m1, h1) and [h2, end),
 * hours [h1, d1) and [d2, h2), days [d1, d2). Empty pieces collapse onto a bound, so each
 * moment of the range is read from exactly one table. `coarsest` caps the grain.
 */
export function trafficGrains(range: TimeRange, coarsest: 'hour' | 'day') {
  const end = range.end.getTime();
  const m1 = floorTo(range.start.getTime(), MINUTE);
  let h1 = ceilTo(m1, HOUR);
  let h2 = floorTo(end, HOUR);
  if (h1 >= h2) h1 = h2 = end;
  let d1 = coarsest === 'day' ? ceilTo(h1, DAY) : h2;
  let d2 = coarsest === 'day' ? floorTo(h2, DAY) : h2;
  if (d1 >= d2) d1 = d2 = h2;
  const at = (ms: number) => chTime(new Date(ms)).slice(0, 19);
  return {
    m1: at(m1),
    h1: at(h1),
    h2: at(h2),
    d1: at(d1),
    d2: at(d2),
    end: chTime(range.end),
  };
}
