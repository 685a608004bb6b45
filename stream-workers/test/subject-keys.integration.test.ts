import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { testKafka, uniqueName } from '@backbone/test';
import { parseMasterKeys, subjectToken } from '../src/subjects/crypto.js';
import { SubjectStore } from '../src/subjects/store.js';
import { prefixedSubjectTopics, subjectTopicSpecs } from '../src/subjects/topics.js';

const id = uniqueName('keys');
const topics = prefixedSubjectTopics(`${id}.`);
const kafka = testKafka(id);
const logger = createLogger({ name: 'test', level: 'silent' });
const REF_SECRET = 'ref-secret-0123456789';
const K1 = 'k1:first-master-secret-0123';
const K2 = 'k2:second-master-secret-0123';
const stores: SubjectStore[] = [];

async function store(master: string, instance: string) {
  const s = new SubjectStore({
    kafka,
    topics,
    master: parseMasterKeys(master),
    refSecret: REF_SECRET,
    instanceId: instance,
    logger,
  });
  await s.start();
  stores.push(s);
  return s;
}

const subject = (s: SubjectStore, user: string) => ({
  ref: s.ref('acme', 'user', user),
  tenant: 'acme',
  kind: 'user' as const,
  at: Date.now(),
});
const tokenOf = (s: SubjectStore, user: string) =>
  subjectToken(s.keyOf(s.ref('acme', 'user', user))!, 'user');

afterAll(async () => {
  for (const s of stores) await s.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics({ topics: subjectTopicSpecs(topics).map((t) => t.topic) })
    .catch(() => undefined);
  await admin.disconnect();
});

describe('subject keys in Kafka', () => {
  it('agree across instances that meet a new subject at the same time, and across restarts', async () => {
    const [a, b] = await Promise.all([store(K1, 'a'), store(K1, 'b')]);
    // Both make a key for the same new subject at once: each then uses the lowest key id.
    await Promise.all([a.prepare([subject(a, 'jane')]), b.prepare([subject(b, 'jane')])]);
    await Promise.all([a.catchUp(), b.catchUp()]);
    expect(tokenOf(a, 'jane')).toBe(tokenOf(b, 'jane'));
    const later = await store(K1, 'c');
    expect(tokenOf(later, 'jane')).toBe(tokenOf(a, 'jane'));
    // The topic holds wrapped keys only.
    expect(later.size.subjects).toBe(1);
  });

  it('rotate the master key without changing a subject key: re-wrapped, then the old one can go', async () => {
    const old = await store(K1, 'old');
    await old.prepare([subject(old, 'omar'), subject(old, 'li')]);
    const before = { omar: tokenOf(old, 'omar'), li: tokenOf(old, 'li') };
    const rotating = await store(`${K2},${K1}`, 'rotating');
    expect(await rotating.rewrap()).toBeGreaterThanOrEqual(2);
    // A worker that knows only the new master key reads every key, and tokens do not change.
    const fresh = await store(K2, 'fresh');
    expect({ omar: tokenOf(fresh, 'omar'), li: tokenOf(fresh, 'li') }).toEqual(before);
    expect(await fresh.rewrap()).toBe(0);
    // A worker with only the old master key no longer can: nothing silently wrong.
    const stale = await store(K1, 'stale');
    expect(() => stale.keyOf(stale.ref('acme', 'user', 'omar'))).toThrow(
      /master key "k2", which is not configured/,
    );
  });
});
