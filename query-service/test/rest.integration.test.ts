import { describe, expect, it } from 'vitest';
import { acme, H, range, token, useRollups } from './rollups-fixture.js';

const { ctx, gql } = useRollups();

describe('REST', () => {
  describe('REST mirror', () => {
    const get = async (path: string, bearer?: string) => {
      const res = await fetch(`${ctx.url}${path}`, {
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      });
      return {
        status: res.status,
        body: (await res.json()) as { data?: unknown; code?: string; message?: string },
      };
    };
    const q = `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;

    it('answers the same numbers as GraphQL', async () => {
      const overview = await get(`/api/v1/stats/overview?${q}`, await acme());
      expect(overview.status).toBe(200);
      expect(overview.body.data).toMatchObject({
        pageViews: 4,
        uniqueVisitors: 2,
        sessions: 3,
        revenue: 49.5,
      });
      const pages = await get(`/api/v1/stats/pages?${q}&limit=1`, await acme());
      expect(pages.body.data).toEqual([
        { url: '/home', pageViews: 2, uniqueVisitors: 2, avgTimeOnPage: 30, bounceRate: 0.5 },
      ]);
      const series = await get(`/api/v1/stats/timeseries?${q}&granularity=day`, await acme());
      expect(series.body.data).toEqual([
        {
          timestamp: new Date(Math.floor(H / 86_400_000) * 86_400_000).toISOString(),
          pageViews: 4,
          uniqueVisitors: 2,
          sessions: 3,
        },
      ]);
      for (const path of ['sources', 'devices', 'geo']) {
        const r = await get(`/api/v1/stats/${path}?${q}`, await acme());
        expect(r.status, path).toBe(200);
        expect((r.body.data as unknown[]).length, path).toBeGreaterThan(0);
      }
    });

    it.each([
      ['no token', `/api/v1/stats/overview?${q}`, false, 401, 'UNAUTHENTICATED'],
      [
        'no start',
        `/api/v1/stats/overview?end=${encodeURIComponent(range.end)}`,
        true,
        400,
        'BAD_USER_INPUT',
      ],
      [
        'a bad granularity',
        `/api/v1/stats/timeseries?${q}&granularity=minute`,
        true,
        400,
        'BAD_USER_INPUT',
      ],
      ['a huge page', `/api/v1/stats/pages?${q}&limit=5000`, true, 400, 'BAD_USER_INPUT'],
    ])('answers %s with a clear error', async (_what, path, authed, status, code) => {
      const r = await get(path, authed ? await acme() : undefined);
      expect(r.status).toBe(status);
      expect(r.body).toMatchObject({ code });
      expect(r.body.message).toBeTruthy();
    });
  });

  describe('export', () => {
    const q = () => `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;
    const get = async (path: string, bearer?: string) =>
      fetch(`${ctx.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

    it("streams the tenant's events of a range as CSV or NDJSON", async () => {
      const csv = await get(`/api/v1/export?${q()}&format=csv`, await acme());
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      expect(lines[0]).toMatch(/^"event_id","event_type","occurred_at","session_id"/);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
        '"s1-0"',
        '"s1-30"',
        '"s1-60"',
        '"s2-120"',
        '"s3-200"',
      ]);
      const ndjson = await get(
        `/api/v1/export?${q()}&format=json`,
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      const rows = (await ndjson.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event_id: string; page_path: string });
      expect(rows).toEqual([expect.objectContaining({ event_id: 'o1-10', page_path: '/secret' })]);
    });

    it.each([
      ['no token', false, '&format=csv', 401],
      ['an unknown format', true, '&format=xml', 400],
    ])('refuses %s', async (_what, authed, extra, status) => {
      const res = await get(`/api/v1/export?${q()}${extra}`, authed ? await acme() : undefined);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { status: string }).status).toBe('error');
    });
  });
});

describe('events and sessions', () => {
  describe('events and sessions', () => {
    type Conn<T> = { nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
    const EVENTS = `query($f: EventFilter!, $p: PaginationInput) { events(filter: $f, pagination: $p) {
      nodes { id eventType sessionId properties url deviceType country } pageInfo { endCursor hasNextPage } } }`;

    it('pages through events newest first, filtered by type', async () => {
      const page = async (after?: string | null) =>
        (
          await gql<{ events: Conn<{ id: string }> }>(
            EVENTS,
            { f: { timeRange: range }, p: { first: 2, ...(after ? { after } : {}) } },
            await acme(),
          )
        ).body.data.events;
      const ids: string[] = [];
      let p = await page();
      ids.push(...p.nodes.map((n) => n.id));
      while (p.pageInfo.hasNextPage) {
        p = await page(p.pageInfo.endCursor);
        ids.push(...p.nodes.map((n) => n.id));
      }
      expect(ids).toEqual(['s3-200', 's2-120', 's1-60', 's1-30', 's1-0']);
      const conversions = await gql<{ events: Conn<unknown> }>(
        EVENTS,
        { f: { timeRange: range, eventType: 'conversion' } },
        await acme(),
      );
      expect(conversions.body.data.events.nodes).toEqual([
        {
          id: 's1-60',
          eventType: 'conversion',
          sessionId: 's1',
          properties: { value: 49.5 },
          url: '/pricing',
          deviceType: 'desktop',
          country: 'GB',
        },
      ]);
    });

    it('lists sessions with their events in order, and one session by id', async () => {
      const { body } = await gql<{ sessions: Conn<Record<string, unknown>> }>(
        `query($f: SessionFilter!) { sessions(filter: $f, pagination: { first: 10 }) {
          nodes { id durationSeconds pageViews isBounce entryPage exitPage source events { id } }
          pageInfo { hasNextPage } } }`,
        { f: { timeRange: range } },
        await acme(),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.sessions.nodes.map((n) => n.id)).toEqual(['s3', 's2', 's1']);
      expect(body.data.sessions.nodes[2]).toEqual({
        id: 's1',
        durationSeconds: 60,
        pageViews: 2,
        isBounce: false,
        entryPage: '/home',
        exitPage: '/pricing',
        source: 'google',
        events: [{ id: 's1-0' }, { id: 's1-30' }, { id: 's1-60' }],
      });
      const other = await gql<{ session: unknown }>(
        `query { session(id: "s1") { id } }`,
        {},
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      expect(other.body.data.session).toBeNull();
    });

    it('serves the same over REST, with 404 for what the tenant does not have', async () => {
      const get = async (path: string, bearer: string) => {
        const res = await fetch(`${ctx.url}${path}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        return {
          status: res.status,
          body: (await res.json()) as { data?: Record<string, unknown>; code?: string },
        };
      };
      const session = await get('/api/v1/sessions/s1', await acme());
      expect(session.status).toBe(200);
      expect((session.body.data?.events as unknown[]).length).toBe(3);
      const event = await get('/api/v1/events/s1-60', await acme());
      expect(event.body.data).toMatchObject({ eventType: 'conversion', sessionId: 's1' });
      const hidden = await get(
        '/api/v1/sessions/s1',
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      expect(hidden).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      const q = `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;
      const list = await get(`/api/v1/events?${q}&limit=2&event_type=page_view`, await acme());
      expect((list.body.data?.nodes as { id: string }[]).map((n) => n.id)).toEqual([
        's3-200',
        's2-120',
      ]);
      expect(list.body.data?.pageInfo).toMatchObject({ hasNextPage: true });
    });
  });
});
