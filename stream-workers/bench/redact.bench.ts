/**
 * npm run bench:redact
 * The redactor on the committed corpus (stream-workers/test/fixtures/pii-corpus.json):
 * recall and precision per kind, on the whole corpus and on its hand-written part, and the
 * CPU cost per segment of a value never seen before. Then the person-name recognizer we
 * evaluated (compromise) on pii-names.json, beside it. Prints figures; no pass/fail.
 */
import { readFileSync } from 'node:fs';
import nlp from 'compromise';
import { scoreCorpus, type CorpusEntry, type Score } from '../src/enrich/pii/evaluate.js';
import { findPii } from '../src/enrich/pii/recognizers.js';
import { redactUncached } from '../src/enrich/redact.js';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8'),
  ) as CorpusEntry[];
const corpus = fixture('pii-corpus.json');
const names = fixture('pii-names.json');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** CPU µs per call of `fn` over every text, after one warm-up pass. */
function cpuPerSegment(texts: string[], fn: (t: string) => unknown, rounds = 5): number {
  for (const t of texts) fn(t);
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const t of texts) fn(t);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (rounds * texts.length);
}

function table(title: string, score: Score) {
  console.log(`\n${title}: recall ${pct(score.recall)}, precision ${pct(score.precision)}`);
  console.log('  kind     items  found  recall   reported  wrong  precision');
  for (const [kind, k] of Object.entries(score.byKind).sort()) {
    const recall = k.items ? pct(k.found / k.items) : '-';
    const precision = k.reported ? pct(1 - k.wrong / k.reported) : '-';
    console.log(
      `  ${kind.padEnd(8)} ${String(k.items).padStart(5)}  ${String(k.found).padStart(5)}  ${recall.padStart(6)}   ${String(k.reported).padStart(8)}  ${String(k.wrong).padStart(5)}  ${precision.padStart(9)}`,
    );
  }
  for (const m of score.misses.slice(0, 5))
    console.log(`  missed ${m.kind}: ${JSON.stringify(m.text)}`);
  for (const f of score.falsePositives.slice(0, 5))
    console.log(`  wrongly ${f.kind}: ${JSON.stringify(f.span)} in ${JSON.stringify(f.text)}`);
}

const positives = corpus.filter((c) => c.pii.length > 0).length;
console.log(
  `corpus: ${corpus.length} snippets, ${positives} with personal data, ${corpus.length - positives} without`,
);
table('redactor, whole corpus', scoreCorpus(corpus, findPii));
table(
  'redactor, hand-written part',
  scoreCorpus(
    corpus.filter((c) => c.lang === 'hand'),
    findPii,
  ),
);
const texts = corpus.map((c) => c.text);
const noDigits = texts.filter((t) => !/[0-9@]/.test(t));
console.log(
  `\nredactor cost: ${cpuPerSegment(texts, redactUncached).toFixed(1)} µs CPU per segment (mean ${Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length)} chars, uncached); ${cpuPerSegment(noDigits, redactUncached).toFixed(1)} µs for text without digits or @`,
);

const people = (text: string) =>
  (
    nlp(text).people().json({ offset: true }) as { offset: { start: number; length: number } }[]
  ).map((p) => ({ start: p.offset.start, end: p.offset.start + p.offset.length, kind: 'name' }));
const nameScore = scoreCorpus(names, people);
console.log(
  `\nperson names with compromise ${(nlp as unknown as { version: string }).version}: recall ${pct(nameScore.recall)}, precision ${pct(nameScore.precision)}, ${cpuPerSegment(
    names.map((n) => n.text),
    people,
    3,
  ).toFixed(0)} µs CPU per segment (${names.length} snippets); the redactor finds no names`,
);
for (const m of nameScore.misses.slice(0, 6)) console.log(`  missed: ${JSON.stringify(m.text)}`);
