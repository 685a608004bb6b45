import { describe, expect, it } from 'vitest';
import { ReplayInputError } from '../errors.js';
import { parsePosition } from './positions.js';
import { limits, resolveFamily, type Plan } from './plan.js';
import { dayFiguresQuery, mergedValue } from './verify.js';

describe('replay positions', () => {
  it('reads earliest, an ISO time and partition offsets', () => {
    expect(parsePosition('earliest', '--from')).toEqual({ kind: 'earliest' });
    expect(parsePosition('2026-11-30T12:00:00Z', '--from')).toEqual({
      kind: 'time',
      at: new Date('2026-11-30T12:00:00Z'),
    });
    expect(parsePosition('0:120, 2:7', '--from')).toEqual({
      kind: 'offsets',
      offsets: [
        { stream: undefined, partition: 0, offset: 120n },
        { stream: undefined, partition: 2, offset: 7n },
      ],
    });
    expect(parsePosition('stt.session@1:5', '--to')).toEqual({
      kind: 'offsets',
      offsets: [{ stream: 'stt.session', partition: 1, offset: 5n }],
    });
  });

  it('names the option and what it expected when the text is wrong', () => {
    expect(() => parsePosition('yesterday', '--from')).toThrow(ReplayInputError);
    expect(() => parsePosition('yesterday', '--from')).toThrow(
      /--from yesterday: expected earliest, an ISO time, or offsets as partition:offset/,
    );
    expect(() => parsePosition('2026-13-45T99:00', '--to')).toThrow(
      /--to 2026-13-45T99:00: not a time/,
    );
    expect(() => parsePosition('0:-3', '--from')).toThrow(/got "0:-3"/);
  });

  it('knows the families and their streams, and refuses others', () => {
    expect(resolveFamily('web').name).toBe('web');
    expect(resolveFamily('stt.speaker').name).toBe('stt');
    expect(() => resolveFamily('clicks')).toThrow(
      /unknown stream "clicks": one of web, stt, consent, stt\.transcript, stt\.speaker, stt\.session/,
    );
  });
});

describe('what a replay reads', () => {
  const plan = (start: Record<string, string>, end?: Record<string, string>): Plan => ({
    mode: 'replay',
    from: 'x',
    to: undefined,
    start,
    end,
    startedAt: 0,
  });

  it('never reads beyond what the live sink has committed, nor before its start', () => {
    const live = new Map([
      ['t:0', 100n],
      ['t:1', 5n],
    ]);
    expect(limits(plan({ 't:0': '10', 't:1': '20' }), live)).toEqual(
      new Map([
        ['t:0', 100n],
        ['t:1', 20n], // live is behind the start: nothing to read there
      ]),
    );
  });

  it('stops at --to when it comes before live', () => {
    const live = new Map([['t:0', 100n]]);
    expect(limits(plan({ 't:0': '10' }, { 't:0': '40' }), live)).toEqual(new Map([['t:0', 40n]]));
    expect(limits(plan({ 't:0': '10' }, { 't:0': '400' }), live)).toEqual(new Map([['t:0', 100n]]));
  });
});

describe('verification figures', () => {
  it('merge aggregate states, and round floating results', () => {
    expect(mergedValue({ name: 'events', type: 'SimpleAggregateFunction(sum, UInt64)' })).toBe(
      'sum(`events`)',
    );
    expect(mergedValue({ name: 'revenue', type: 'SimpleAggregateFunction(sum, Float64)' })).toBe(
      'round(sum(`revenue`), 6)',
    );
    expect(mergedValue({ name: 'visitors', type: 'AggregateFunction(uniq, String)' })).toBe(
      'uniqMerge(`visitors`)',
    );
    expect(mergedValue({ name: 'c', type: 'AggregateFunction(avg, Float64)' })).toBe(
      'round(avgMerge(`c`), 6)',
    );
    expect(
      mergedValue({ name: 'l', type: 'AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64)' }),
    ).toBe('arrayMap(x -> round(x, 6), quantilesMerge(0.5, 0.95, 0.99)(`l`))');
    expect(
      mergedValue({ name: 's', type: "AggregateFunction(argMax, String, DateTime64(3, 'UTC'))" }),
    ).toBe('argMaxMerge(`s`)');
    expect(mergedValue({ name: 'tenant_id', type: 'LowCardinality(String)' })).toBe('`tenant_id`');
  });

  it('group a rollup by its key before hashing, and a raw table by row without insert time', () => {
    const rollup = dayFiguresQuery(
      't',
      [
        { name: 'tenant_id', type: 'String', is_in_sorting_key: 1 },
        { name: 'minute', type: "DateTime('UTC')", is_in_sorting_key: 1 },
        { name: 'events', type: 'SimpleAggregateFunction(sum, UInt64)', is_in_sorting_key: 0 },
      ],
      false,
    );
    expect(rollup).toMatch(/GROUP BY `tenant_id`, `minute`\)/);
    expect(rollup).toMatch(/toDate\(`minute`\)\) AS day/);
    const raw = dayFiguresQuery(
      'r',
      [
        { name: 'event_id', type: 'String', is_in_sorting_key: 0 },
        { name: 'occurred_at', type: 'DateTime64(3)', is_in_sorting_key: 1 },
        { name: '_inserted_at', type: 'DateTime64(3)', is_in_sorting_key: 0 },
      ],
      true,
    );
    expect(raw).toMatch(/tuple\(`event_id`, `occurred_at`\)/);
    expect(() =>
      dayFiguresQuery('x', [{ name: 'a', type: 'String', is_in_sorting_key: 1 }], true),
    ).toThrow(/x has none of the time columns/);
  });
});
