export type Granularity = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';

export interface Range {
  /** A preset ('1h', '24h', '7d', '30d') or 'custom'. */
  preset: string;
  start: string;
  end: string;
  granularity: Granularity;
}

export const PRESETS: Record<string, { label: string; hours: number; granularity: Granularity }> = {
  '1h': { label: 'Last hour', hours: 1, granularity: 'HOUR' },
  '24h': { label: 'Last 24 hours', hours: 24, granularity: 'HOUR' },
  '7d': { label: 'Last 7 days', hours: 24 * 7, granularity: 'DAY' },
  '30d': { label: 'Last 30 days', hours: 24 * 30, granularity: 'DAY' },
};

/** A preset's range, ending at the next minute so repeated loads share the service's cache. */
export function presetRange(preset: string): Range {
  const p = PRESETS[preset] ?? PRESETS['24h']!;
  const end = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - p.hours * 3_600_000);
  return { preset, start: start.toISOString(), end: end.toISOString(), granularity: p.granularity };
}

export const timeRange = (r: Range) => ({ start: r.start, end: r.end });
