/**
 * What persons' keys cost enrich (docs/privacy.md#erasure), in one process, no I/O:
 * the step's CPU per event without a person (tenant hashes only), with an anonymous visitor,
 * and with a user and a visitor (tokens and linked hashes from their keys); then the heap each
 * person's key takes in a worker's memory. Median of three rounds.
 *   npm run bench:subjects [-- --events 200000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger } from '@backbone/runtime';
import { enrichEvent } from '../src/enrich/enrich.step.js';
import { GeoLookup } from '../src/enrich/geo.js';
import { newSubjectKey, parseMasterKeys, wrapKey } from '../src/subjects/crypto.js';
import { SubjectStore } from '../src/subjects/store.js';
import { SUBJECT_TOPICS } from '../src/subjects/topics.js';
import { benchEnrichContext, benchWebEvent } from './web-events.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const N = Number(values.events);
const geo = await GeoLookup.open();
const ctx = benchEnrichContext(geo);
// 3,000 visitors and 2,000 users, as in bench:pipeline's events.
const visitors = Array.from({ length: N }, (_, i) => benchWebEvent(i, 'bench', Date.now()));
const sets = {
  'no person (tenant hashes only)': visitors.map((e) => ({
    ...e,
    envelope: { ...e.envelope, anonymous_id: null, user_id: null },
  })),
  'an anonymous visitor (its key)': visitors,
  'a user and a visitor (two keys)': visitors.map((e, i) => ({
    ...e,
    envelope: { ...e.envelope, user_id: `u-${i % 2000}` },
  })),
};
const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
const figures = new Map<string, number[]>();
for (let round = 0; round < 3; round++)
  for (const [label, events] of Object.entries(sets)) {
    for (const e of events.slice(0, 20_000)) enrichEvent('web', e, ctx); // warm, keys made
    const t0 = process.cpuUsage();
    for (const e of events) enrichEvent('web', e, ctx);
    const d = process.cpuUsage(t0);
    figures.set(label, [...(figures.get(label) ?? []), (d.user + d.system) / N]);
  }
console.log(
  `enrich's step over ${N.toLocaleString('en-US')} page views, CPU per event (median of 3):`,
);
for (const [label, xs] of figures) console.log(`  ${label.padEnd(34)} ${median(xs).toFixed(1)} µs`);

// The heap a worker holds per person: the wrapped key as read from _subject_keys.
const master = parseMasterKeys('bench:bench-master-key-0123456789');
const store = new SubjectStore({
  kafka: undefined as never,
  topics: SUBJECT_TOPICS,
  master,
  refSecret: ctx.keys.tokenKey,
  instanceId: 'bench',
  logger: createLogger({ name: 'bench', level: 'silent' }),
});
const gc = (globalThis as { gc?: () => void }).gc;
const PERSONS = 200_000;
gc?.();
const before = process.memoryUsage().heapUsed;
let bytes = 0;
for (let i = 0; i < PERSONS; i += 1000) {
  const messages = Array.from({ length: 1000 }, (_, j) => {
    const name = `s_${randomBytes(16).toString('hex')}/${randomBytes(8).toString('hex')}`;
    const value = JSON.stringify({
      tenant: 'bench',
      kind: 'anonymous',
      wrapped: wrapKey(newSubjectKey(), name, master),
      created_at: Date.now(),
    });
    bytes += name.length + value.length;
    return { key: Buffer.from(name), value: Buffer.from(value), offset: String(i + j) };
  });
  // The reader's own handler, fed as the consumer would feed it.
  (store as unknown as { read(p: unknown): void }).read({
    batch: { topic: SUBJECT_TOPICS.keys, partition: 0, messages, highWatermark: String(i + 1000) },
  });
}
gc?.();
const heap = (process.memoryUsage().heapUsed - before) / PERSONS;
console.log(
  `persons' keys: ${Math.round(heap)} bytes of heap each in a worker${gc ? '' : ' (without --expose-gc: rough)'}, ${Math.round(bytes / PERSONS)} bytes each in _subject_keys`,
);
