import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.js';

const event = (id: string, type: string) => ({
  event_id: id,
  event_type: type,
  timestamp: new Date().toISOString(),
  session_id: 's',
  properties: {},
});

describe('Ledger', () => {
  it('counts what a 202 accepted, per stream, without the refused ones', () => {
    const l = new Ledger();
    l.observe(
      [event('a', 'page_view'), event('b', 'click'), event('c', 'page_view')],
      202,
      new Set([1]),
    );
    l.observe([event('d', 'stt_session_started')], 202, new Set());
    l.observe([event('e', 'page_view')], 503, new Set());
    l.observe([event('f', 'page_view')], 0, new Set());
    expect(Object.fromEntries([...l.accepted].map(([s, ids]) => [s, [...ids]]))).toEqual({
      web: ['a', 'c'],
      'stt.session': ['d'],
    });
    expect(l.total).toBe(3);
    const statuses = l.statusesBetween(0, Date.now() + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 202: 2, 503: 1, 0: 1 });
  });

  it('names the first web event accepted after a moment', async () => {
    const l = new Ledger();
    const probe = l.firstAcceptedAfter(Date.now());
    l.observe([event('x', 'page_view')], 503, new Set());
    l.observe([event('s', 'stt_session_started'), event('y', 'page_view')], 202, new Set());
    l.observe([event('z', 'page_view')], 202, new Set());
    await expect(probe).resolves.toBe('y');
  });
});
