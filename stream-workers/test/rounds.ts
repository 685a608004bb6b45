import { expect } from 'vitest';
import { waitFor } from '@backbone/test';
import { pageViews } from './event-set.js';
import type { pipelineFixture } from './pipeline-fixture.js';

type Pipeline = Awaited<ReturnType<typeof pipelineFixture>>;

/** Page views on raw.web in `rounds` rounds `gapMs` apart: what was sent, and how long it took. */
export async function sendInRounds(
  p: Pipeline,
  o: { rounds: number; perRound: number; sessions: number; gapMs: number },
) {
  const sent: unknown[] = [];
  const started = Date.now();
  for (let i = 0; i < o.rounds; i++) {
    const events = pageViews(o.perRound, { sessions: o.sessions, base: Date.now() - 60_000 });
    sent.push(...events);
    await p.produce('web', events);
    await new Promise((r) => setTimeout(r, o.gapMs));
  }
  return { sent, sendMs: Date.now() - started };
}

/** Waits for every sent event in web_events, then checks that each is there exactly once. */
export async function expectEachOnce(p: Pipeline, sent: readonly unknown[]): Promise<void> {
  const count = async () =>
    Number((await p.rows<{ n: string }>('SELECT count() AS n FROM {db}.web_events'))[0]!.n);
  await waitFor(async () => (await count()) >= sent.length, {
    timeoutMs: 90_000,
    description: 'every row in ClickHouse',
  });
  await p.quiet();
  const ids = await p.rows<{ event_id: string }>('SELECT event_id FROM {db}.web_events');
  expect(ids).toHaveLength(sent.length);
  expect(new Set(ids.map((r) => r.event_id)).size).toBe(sent.length);
}
