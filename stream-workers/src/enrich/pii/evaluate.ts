/** One snippet of the redaction corpus: its text and the personal data it holds. */
export interface CorpusEntry {
  text: string;
  pii: { kind: string; value: string }[];
  lang?: string;
}

export interface KindScore {
  /** Items of this kind in the corpus, and how many were replaced whole. */
  items: number;
  found: number;
  /** Spans the recognizers reported of this kind, and how many were not personal data. */
  reported: number;
  wrong: number;
}

export interface Score {
  byKind: Record<string, KindScore>;
  recall: number;
  precision: number;
  /** Entries whose items were missed or whose text was wrongly redacted, for a look. */
  misses: { text: string; value: string; kind: string }[];
  falsePositives: { text: string; span: string; kind: string }[];
}

type Finder = (text: string) => { start: number; end: number; kind: string }[];

/**
 * Recall: an item counts as found only when the reported spans cover all of it (a partial
 * replacement leaves a remnant). Precision: a reported span is right when it overlaps an item.
 */
export function scoreCorpus(corpus: readonly CorpusEntry[], find: Finder): Score {
  const byKind: Record<string, KindScore> = {};
  const kind = (k: string) => (byKind[k] ??= { items: 0, found: 0, reported: 0, wrong: 0 });
  const misses: Score['misses'] = [];
  const falsePositives: Score['falsePositives'] = [];
  for (const entry of corpus) {
    const spans = find(entry.text);
    const truth: [number, number][] = [];
    for (const item of entry.pii) {
      const start = entry.text.indexOf(item.value);
      if (start < 0) throw new Error(`corpus entry does not contain its item: ${entry.text}`);
      const end = start + item.value.length;
      truth.push([start, end]);
      const k = kind(item.kind);
      k.items++;
      if (covered(spans, start, end)) k.found++;
      else misses.push({ text: entry.text, value: item.value, kind: item.kind });
    }
    for (const span of spans) {
      const k = kind(span.kind);
      k.reported++;
      if (!truth.some(([a, b]) => a < span.end && span.start < b)) {
        k.wrong++;
        falsePositives.push({
          text: entry.text,
          span: entry.text.slice(span.start, span.end),
          kind: span.kind,
        });
      }
    }
  }
  const all = Object.values(byKind);
  const sum = (f: (k: KindScore) => number) => all.reduce((n, k) => n + f(k), 0);
  return {
    byKind,
    recall:
      sum((k) => k.found) /
      Math.max(
        1,
        sum((k) => k.items),
      ),
    precision:
      1 -
      sum((k) => k.wrong) /
        Math.max(
          1,
          sum((k) => k.reported),
        ),
    misses,
    falsePositives,
  };
}

function covered(spans: { start: number; end: number }[], start: number, end: number): boolean {
  let at = start;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start <= at && s.end > at) at = s.end;
    if (at >= end) return true;
  }
  return at >= end;
}
