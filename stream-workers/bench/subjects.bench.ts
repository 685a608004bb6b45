/**
 * What persons' keys cost enrich (docs/privacy.md#erasure), in one process, no I/O:
 * the step's CPU per event without a person (tenant hashes only), with an anonymous visitor,
 * and with a user and a visitor (tokens and linked hashes from their keys); transcript text
 * kept by a redact policy, encrypted with its person's key, and what the sink pays to decrypt
 * it; then the heap each person's key takes in a worker's memory. Median of three rounds.
 *   npm run bench:subjects [-- --events 200000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger } from '@backbone/runtime';
import { enrichEvent } from '../src/enrich/enrich.step.js';
import { GeoLookup } from '../src/enrich/geo.js';
import type { StreamEvents } from '@backbone/schemas';
import {
  decryptText,
  newSubjectKey,
  parseMasterKeys,
  textAad,
  wrapKey,
} from '../src/subjects/crypto.js';
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
const SEGMENT_BRANCH = 'backbone.events.stt.TranscriptSegment';
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

// Transcript text a redact policy keeps: the step with the text encrypted with the person's
// key, against the same segment naming no one (kept in clear); then what the sink pays to
// decrypt one (its only work beyond decoding; the key is found by token in a map).
const SAID =
  'So the pain started on Monday, mostly in the morning, and the tablets help a little but I still feel dizzy when I stand up too quickly.';
const segment = (i: number, user: string | null) => {
  const e = benchWebEvent(i, 'bench', Date.now());
  return {
    envelope: {
      ...e.envelope,
      event_type: 'stt_transcription_completed',
      anonymous_id: null,
      user_id: user,
    },
    payload: {
      'backbone.events.stt.TranscriptSegment': {
        segment_id: `seg-${i}`,
        text: SAID,
        is_final: true,
        confidence: 0.92,
        start_ms: i * 1000,
        end_ms: i * 1000 + 4000,
        language: 'en',
        speaker_id: 'spk-1',
        speaker_label: null,
        model_id: 'whisper-large',
        processing_latency_ms: 180,
        audio_duration_ms: 4000,
        word_count: 27,
      },
    },
  } as unknown as StreamEvents['stt.transcript'];
};
const redact = { ...ctx, textPolicy: () => 'redact' as const };
const T = Math.min(N, 50_000);
const textSets = {
  'segment naming no one (clear)': Array.from({ length: T }, (_, i) => segment(i, null)),
  "a user's segment (encrypted)": Array.from({ length: T }, (_, i) => segment(i, `u-${i % 2000}`)),
};
const textFigures = new Map<string, number[]>();
const sealedTexts: { text: string; key: Buffer; aad: string }[] = [];
for (let round = 0; round < 3; round++)
  for (const [label, events] of Object.entries(textSets)) {
    for (const e of events.slice(0, 5000)) enrichEvent('stt.transcript', e, redact);
    const t0 = process.cpuUsage();
    for (const e of events) {
      const r = enrichEvent('stt.transcript', e, redact);
      if (round === 0 && r.kind === 'ok' && e.envelope.user_id && sealedTexts.length < T) {
        const out = r.value.value;
        sealedTexts.push({
          text: (out.payload as Record<string, { text: string }>)[SEGMENT_BRANCH]!.text,
          key: ctx.subjects.keyOf(
            ctx.subjects.ref(e.envelope.tenant_id, 'user', e.envelope.user_id),
          )!,
          aad: textAad(out.envelope.tenant_id, out.envelope.event_id),
        });
      }
    }
    const d = process.cpuUsage(t0);
    textFigures.set(label, [...(textFigures.get(label) ?? []), (d.user + d.system) / T]);
  }
const decrypts: number[] = [];
for (let round = 0; round < 3; round++) {
  const t0 = process.cpuUsage();
  for (const s of sealedTexts) decryptText(s.key, s.aad, s.text);
  const d = process.cpuUsage(t0);
  decrypts.push((d.user + d.system) / sealedTexts.length);
}
console.log(
  `transcript segments under a redact policy (${SAID.length} characters), CPU per segment (median of 3):`,
);
for (const [label, xs] of textFigures)
  console.log(`  enrich, ${label.padEnd(32)} ${median(xs).toFixed(1)} µs`);
console.log(`  sink, decrypting one                     ${median(decrypts).toFixed(1)} µs`);

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
