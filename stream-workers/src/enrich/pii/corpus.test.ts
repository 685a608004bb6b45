import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreCorpus, type CorpusEntry } from './evaluate.js';
import { findPii } from './recognizers.js';

const load = (): CorpusEntry[] =>
  JSON.parse(
    readFileSync(new URL('../../../test/fixtures/pii-corpus.json', import.meta.url), 'utf8'),
  ) as CorpusEntry[];

describe('the redactor on its corpus', () => {
  it('has at least 500 snippets with personal data and 500 without, in several languages', () => {
    const corpus = load();
    expect(corpus.filter((c) => c.pii.length > 0).length).toBeGreaterThanOrEqual(500);
    expect(corpus.filter((c) => c.pii.length === 0).length).toBeGreaterThanOrEqual(500);
    const kinds = new Set(corpus.flatMap((c) => c.pii.map((p) => p.kind)));
    expect([...kinds].sort()).toEqual(['card', 'dob', 'email', 'iban', 'id', 'ip', 'phone', 'ssn']);
  });

  it('finds at least 99% of the items, each whole, at a precision of at least 95%, for every kind', () => {
    const score = scoreCorpus(load(), findPii);
    expect(score.recall).toBeGreaterThanOrEqual(0.99);
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
    for (const [kind, k] of Object.entries(score.byKind)) {
      if (k.items > 0) expect(k.found / k.items, kind).toBeGreaterThanOrEqual(0.99);
      if (k.reported > 0) expect(1 - k.wrong / k.reported, kind).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('counts an item replaced in part as missed', () => {
    const corpus = [
      { text: 'call +1 415 555 0132 now', pii: [{ kind: 'phone', value: '+1 415 555 0132' }] },
    ];
    const partial = scoreCorpus(corpus, () => [{ start: 8, end: 20, kind: 'phone' }]);
    expect(partial.recall).toBe(0);
    expect(scoreCorpus(corpus, findPii).recall).toBe(1);
  });
});
