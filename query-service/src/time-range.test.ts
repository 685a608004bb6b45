import { describe, expect, it } from 'vitest';
import { trafficGrains } from './time-range.js';

const at = (iso: string) => new Date(iso);

describe('trafficGrains', () => {
  it('splits a long range into edge minutes, edge hours and whole days', () => {
    expect(
      trafficGrains({ start: at('2026-11-01T10:20:30Z'), end: at('2026-11-04T05:40:00Z') }, 'day'),
    ).toEqual({
      m1: '2026-11-01 10:20:00',
      h1: '2026-11-01 11:00:00',
      d1: '2026-11-02 00:00:00',
      d2: '2026-11-04 00:00:00',
      h2: '2026-11-04 05:00:00',
      end: '2026-11-04 05:40:00.000',
    });
  });

  it('uses no days when hours are the coarsest grain asked for', () => {
    const g = trafficGrains(
      { start: at('2026-11-01T10:20:30Z'), end: at('2026-11-04T05:40:00Z') },
      'hour',
    );
    expect([g.h1, g.d1, g.d2, g.h2]).toEqual([
      '2026-11-01 11:00:00',
      '2026-11-04 05:00:00',
      '2026-11-04 05:00:00',
      '2026-11-04 05:00:00',
    ]);
  });

  it('reads a range shorter than an hour from minutes only', () => {
    const g = trafficGrains(
      { start: at('2026-11-01T10:20:00Z'), end: at('2026-11-01T10:50:00Z') },
      'day',
    );
    expect(g).toMatchObject({ m1: '2026-11-01 10:20:00', h1: '2026-11-01 10:50:00' });
    expect([g.h2, g.d1, g.d2]).toEqual(Array(3).fill('2026-11-01 10:50:00'));
  });

  it('reads an aligned range of whole days from days only', () => {
    const g = trafficGrains(
      { start: at('2026-11-01T00:00:00Z'), end: at('2026-11-08T00:00:00Z') },
      'day',
    );
    expect(g).toMatchObject({
      m1: '2026-11-01 00:00:00',
      h1: '2026-11-01 00:00:00',
      d1: '2026-11-01 00:00:00',
      d2: '2026-11-08 00:00:00',
      h2: '2026-11-08 00:00:00',
    });
  });
});
