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
