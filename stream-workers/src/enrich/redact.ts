import { memoize } from '@backbone/runtime';
import { findPii, type PiiKind } from './pii/recognizers.js';

export { passesLuhn } from './pii/checksums.js';
export type { PiiKind as RedactionKind } from './pii/recognizers.js';

/**
 * Redaction of personal data in free text: every span the recognizers find (emails, also
 * spelled out; phone numbers, also read out in words; payment cards; SSNs; IBANs; IP
 * addresses; dates of birth; labelled record and member numbers; long digit runs) is
 * replaced whole by a typed placeholder. Counts say what was found, for metrics; the values
 * never leave. What it cannot find (names, addresses) is why transcripts are dropped by
 * default: docs/privacy.md.
 */
export interface Redaction {
  text: string;
  counts: Record<PiiKind, number>;
}

export const PLACEHOLDERS: Readonly<Record<PiiKind, string>> = {
  email: '[EMAIL]',
  iban: '[IBAN]',
  card: '[CARD]',
  ssn: '[SSN]',
  dob: '[DOB]',
  id: '[ID]',
  ip: '[IP]',
  phone: '[PHONE]',
};

const noCounts = (): Record<PiiKind, number> => ({
  email: 0,
  iban: 0,
  card: 0,
  ssn: 0,
  dob: 0,
  id: 0,
  ip: 0,
  phone: 0,
});

// Text written as a URL's query (+ for a space) is read both ways; the replacement maps 1:1.
const plusAsSpace = (text: string) => (text.includes('+') ? text.replace(/\+/g, ' ') : text);

/** Redaction without the memo: what a value never seen before costs (benchmarks measure this). */
export function redactUncached(input: string): Redaction {
  const counts = noCounts();
  let spans = findPii(input);
  const spaced = plusAsSpace(input);
  if (spaced !== input) {
    const more = findPii(spaced).filter(
      (s) => !spans.some((t) => t.start < s.end && s.start < t.end),
    );
    spans = [...spans, ...more].sort((a, b) => a.start - b.start);
  }
  if (spans.length === 0) return { text: input, counts };
  let text = '';
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    text += input.slice(at, span.start) + PLACEHOLDERS[span.kind];
    counts[span.kind]++;
    at = span.end;
  }
  return { text: text + input.slice(at), counts };
}

const SHORT = 256;
// Titles, paths and labels repeat: the short ones are redacted once.
const redactShort = memoize(redactUncached, 20_000);

/** `input` with every recognised item of personal data replaced by its placeholder. */
export function redactText(input: string): Redaction {
  return input.length <= SHORT ? redactShort(input) : redactUncached(input);
}

/** Whether `input` holds anything the recognizers find. */
export function holdsPii(input: string): boolean {
  return redactText(input).text !== input;
}
