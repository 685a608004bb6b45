import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { newErasureRequest, noteAccepted } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import { parseMasterKeys, subjectToken } from '../src/subjects/crypto.js';
import { ErasureJob } from '../src/subjects/erasure.js';
import { SubjectStore } from '../src/subjects/store.js';
import { spokenSegment } from './event-set.js';
import { MASTER_KEYS } from './pipeline-fixture.js';
import { livePipeline, logger } from './replay-fixture.js';

/**
 * Transcript text a redact policy keeps is encrypted in events.* with its person's key: the
 * sink (which has the master keys, not the token secret) decrypts it into ClickHouse, and
 * once the person is erased no replay can read it again (docs/privacy.md#erasure).
 */
let live: Awaited<ReturnType<typeof livePipeline>>;
let sinkKeys: SubjectStore;
let events: Awaited<ReturnType<Awaited<ReturnType<typeof livePipeline>>['p']['collect']>>;

const SAID = 'please call me at 415 555 0100, my head hurts since Monday';
const KEPT = 'please call me at [PHONE], my head hurts since Monday';

function segments(n: number, ids: { user_id: string | null; anonymous_id: string | null }) {
  const session = randomUUID();
  return Array.from({ length: n }, (_, i) =>
    spokenSegment(
      SAID,
      {
        session_id: session,
        occurred_at: Date.now() - 60_000 + i * 1000,
        received_at: Date.now() - 60_000 + i * 1000,
        ...ids,
      },
      i,
    ),
  );
}

const texts = async () =>
  (
    await live.p.rows<{ text: string | null; user: string | null }>(
      `SELECT text, user_id AS user FROM {db}.${TABLES.sttTranscriptEvents} ORDER BY user_id, occurred_at`,
    )
  ).map((r) => r.text);
const count = async () =>
  Number(
    Object.values(
      (await live.p.rows(`SELECT count() FROM {db}.${TABLES.sttTranscriptEvents}`))[0]!,
    )[0],
  );

beforeAll(async () => {
  live = await livePipeline({
    textPolicy: 'redact',
    // The sink's own reader of the keys: master keys, no token secret.
    texts: async (p) => {
      sinkKeys = new SubjectStore({
        kafka: p.kafka,
        topics: p.subjectTopics,
        master: parseMasterKeys(MASTER_KEYS),
        instanceId: `${p.id}-sink`,
        logger,
      });
      await sinkKeys.start();
      return sinkKeys;
    },
  });
  events = await live.p.collect('events', 'stt.transcript');
  await live.p.produce('stt.transcript', [
    ...segments(3, { user_id: 'patient-a', anonymous_id: 'device-a' }),
    ...segments(3, { user_id: null, anonymous_id: 'device-b' }),
    ...segments(1, { user_id: null, anonymous_id: null }),
  ]);
  await waitFor(async () => (await count()) === 7, {
    timeoutMs: 60_000,
    description: '7 transcript rows',
  });
}, 120_000);
afterAll(async () => {
  await sinkKeys?.stop();
  await live?.watch.stop();
  await live?.p.close();
});

describe('transcript text encrypted with its person’s key', () => {
  it('is ciphertext in events.* and the redacted text in ClickHouse', async () => {
    expect(await texts()).toEqual(Array.from({ length: 7 }, () => KEPT));
    await waitFor(() => events.length === 7, { timeoutMs: 10_000 });
    const sealed = events.filter((m) => m.value!.includes('enc:v1:'));
    // The user's key where there is a user, the visitor's where there is only a visitor; in
    // clear only where no one is named (there is no key to erase).
    expect(sealed).toHaveLength(6);
    expect(events.filter((m) => m.value!.includes('enc:v1:u:'))).toHaveLength(3);
    for (const m of sealed) {
      expect(m.value!.includes('head hurts')).toBe(false);
      expect(m.value!.includes('[PHONE]')).toBe(false);
    }
  });

  it('cannot be read again once the person is erased: a replay brings back only the others’ text', async () => {
    const store = await live.p.subjects();
    const aToken = subjectToken(store.keyOf(store.ref('acme', 'user', 'patient-a'))!, 'user');
    const request = newErasureRequest({ tenant: 'acme', userId: 'patient-a', requestedBy: 'test' });
    await noteAccepted(live.p.clickhouse, live.p.database, request);
    await new ErasureJob({
      store,
      clickhouse: live.p.clickhouse,
      database: live.p.database,
      logger,
      settleMs: 200,
    }).run(request);
    expect(await count()).toBe(4);
    await sinkKeys.catchUp();
    expect(sinkKeys.keyOfToken(aToken)).toBe('erased');

    const run = live.replay({ stream: 'stt', from: 'earliest' }, { texts: sinkKeys });
    await expect(run.done).resolves.toMatchObject({ state: 'done' });
    expect(await texts()).toEqual(Array.from({ length: 4 }, () => KEPT));
    const users = await live.p.rows<{ n: string }>(
      `SELECT count() AS n FROM {db}.${TABLES.sttTranscriptEvents} WHERE user_id = {t:String}`,
      { t: aToken },
    );
    expect(Number(users[0]!.n)).toBe(0);
  }, 120_000);
});
