import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { clickhouseTime } from '@backbone/warehouse';
import { waitFor } from '@backbone/test';
import { acme, row, token, useRollups } from './rollups-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';

const { ctx } = useRollups();

describe('subscriptions', () => {
  describe('liveStats subscription (graphql-ws)', () => {
    const LIVE =
      'subscription { liveStats(windowMinutes: 180) { events pageViews windowMinutes } }';
    const connect = (authorization?: string) =>
      createWsClient({
        url: `${ctx.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        ...(authorization ? { connectionParams: { authorization } } : {}),
      });

    it('pushes every second, per tenant, and rises when new events land', async () => {
      const acmeClient = connect(`Bearer ${await acme()}`);
      const otherClient = connect(`Bearer ${await token({ tenant_id: 'other', role: 'viewer' })}`);
      const acmeSeen: number[] = [];
      const otherSeen: number[] = [];
      const errors: unknown[] = [];
      const sink = (seen: number[]) => ({
        next: (r: { data?: { liveStats?: { events: number } } | null }) => {
          if (r.data?.liveStats) seen.push(r.data.liveStats.events);
        },
        error: (e: unknown) => errors.push(e),
        complete: () => undefined,
      });
      const stopAcme = acmeClient.subscribe({ query: LIVE }, sink(acmeSeen));
      const stopOther = otherClient.subscribe({ query: LIVE }, sink(otherSeen));
      try {
        await waitFor(() => acmeSeen.length >= 2 && otherSeen.length >= 1, {
          timeoutMs: 10_000,
          description: 'two ticks',
        });
        expect(errors).toEqual([]);
        expect(acmeSeen[0]).toBe(5);
        expect(otherSeen[0]).toBe(1);
        await ctx.writer.insert({
          table: `${ctx.database.name}.${TABLES.webEvents}`,
          format: 'JSONEachRow',
          values: [
            {
              ...row('acme', 's-live', 'v-live', 'page_view', 0),
              occurred_at: clickhouseTime(Date.now()),
            },
          ],
        });
        await waitFor(() => acmeSeen.at(-1) === 6, {
          timeoutMs: 10_000,
          description: 'the new event',
        });
        expect(otherSeen.at(-1)).toBe(1);
      } finally {
        stopAcme();
        stopOther();
        await acmeClient.dispose();
        await otherClient.dispose();
      }
    });

    it('refuses the connection without a valid token', async () => {
      const client = connect('Bearer not-a-token');
      const closed = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: LIVE },
          { next: () => undefined, error: resolve, complete: () => resolve('completed') },
        );
      });
      expect((closed as { code?: number }).code).toBe(4403);
      await client.dispose();
    });
  });
});
