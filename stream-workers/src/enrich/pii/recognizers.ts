import { isIpAddress } from '@backbone/schemas';
import { IBAN_LENGTHS, isIssuableSsn, passesIbanCheck, passesLuhn } from './checksums.js';
import { phoneAt, PHONE_LABEL_BEFORE } from './phone.js';

/**
 * The recognizers of personal data in text. Each finds spans of one kind; `findPii` ranks
 * them and resolves overlaps so that a match is always replaced whole. What they find and
 * what they leave alone (years, versions, plain dates, times, dosages, scores, counts) is
 * described in docs/privacy.md and measured on stream-workers/test/fixtures/pii-corpus.json.
 */
export type PiiKind = 'email' | 'iban' | 'card' | 'ssn' | 'dob' | 'id' | 'ip' | 'phone';

export interface Span {
  start: number;
  end: number;
  kind: PiiKind;
}

const TLD =
  'com|org|net|edu|gov|mil|int|info|biz|io|co|ai|app|dev|me|us|uk|ca|au|nz|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|in|jp|cn|br|mx|ru|eu|email|health|care|clinic|online';
const AT = String.raw`\s*(?:@|[([{<]\s*at\s*[)\]}>]|\s+at\s+)\s*`;
const DOT = String.raw`\s*(?:\.|[([{<]\s*dot\s*[)\]}>]|\s+dot\s+)\s*`;
const LABEL = '[A-Za-z0-9][A-Za-z0-9_%+-]*';
// Inside the local part: "john underscore doe", "mary dash ann".
const JOIN = String.raw`(?:${DOT}|\s+(?:underscore|dash|hyphen)\s+)`;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// "name at domain dot org", "name [at] domain [dot] com", "first dot last at mail dot com".
const SPELLED_EMAIL = new RegExp(
  `\\b${LABEL}(?:${JOIN}${LABEL})*${AT}${LABEL}(?:${DOT}${LABEL})*${DOT}(?:${TLD})\\b`,
  'gi',
);
const IBAN_START = /\b([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])/g;
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g;
const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_LABEL = /(?:\bssn|\bss#|social\s+security(?:\s+(?:number|no\.?|#))?)\W{0,6}$/i;
const IPV4 =
  /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;
const VERSION_BEFORE = /\bv(?:ersion)?\s?$/i;
const IPV6 =
  /(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?:\d+\.\d+\.\d+\.\d+)?(?![\w:])/g;
const LONG_DIGITS = /(?<![\w])[A-Za-z]{0,3}\d{6,}(?![\w])/g;

const MONTHS = [
  'jan(?:uary|uar|vier|uari)?',
  'feb(?:ruary|ruar|ruari)?',
  'f[ée]vr(?:ier)?',
  'mar(?:ch|s)?',
  'm(?:ä|ae)rz',
  'maart',
  'apr(?:il)?',
  'avr(?:il)?',
  'abril',
  'may',
  'mai',
  'mayo',
  'mei',
  'jun[ei]?',
  'juin',
  'junio',
  'jul[iy]?',
  'juillet',
  'julio',
  'aug(?:ust|ustus)?',
  'ao[uû]t',
  'agosto',
  'sep(?:t(?:ember|embre)?)?',
  's[e]?tiembre',
  'septiembre',
  'o[ck]t(?:ober|obre|ubre)?',
  'nov(?:ember|embre|iembre)?',
  'de[cz](?:ember|embre)?',
  'd[ée]cembre',
  'diciembre',
  'enero',
  'febrero',
  'marzo',
].join('|');
const DATE_AT = new RegExp(
  [
    String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`,
    String.raw`\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})`,
    String.raw`\d{1,2}(?:st|nd|rd|th|er)?\.?\s+(?:of\s+|de\s+)?(?:${MONTHS})\.?,?\s+(?:de\s+)?\d{4}`,
    String.raw`(?:${MONTHS})\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}`,
  ].join('|'),
  'iy',
);
const DOB_LABEL =
  /\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|birthday|born|geb\.|geboren|geburtsdatum|geburtstag|n[ée]e?|date\s+de\s+naissance|fecha\s+de\s+nacimiento|naci(?:[óo]|d[oa])|geboortedatum)(?![\p{L}])(?:\s+(?:is|was|on|the|am|op|le|el))*\s*(?:[:\-–]\s*)?/giu;
const ID_LABEL =
  /\b(?:mrn|medical\s+record(?:\s+(?:number|no\.?|#))?|patient\s+(?:id|identifier|number|no\.?|#)|member\s+(?:id|number|no\.?|#)|subscriber\s+(?:id|number)|policy\s+(?:number|no\.?|#)|insurance\s+(?:id|number|no\.?)|medicare(?:\s+(?:id|number|no\.?|#))?|medicaid(?:\s+(?:id|number|no\.?|#))?|account\s+(?:number|no\.?|#)|nhs\s+(?:number|no\.?)|health\s+card\s+(?:number|no\.?)|chart\s+(?:number|no\.?|#)|case\s+(?:number|no\.?|#)|passport(?:\s+(?:number|no\.?|#))?|driver'?s?\s+licen[cs]e(?:\s+(?:number|no\.?|#))?|tax\s+id|(?:kranken)?versichertennummer|patientennummer|num[ée]ro\s+(?:de\s+)?(?:patient|dossier|s[ée]curit[ée]\s+sociale)|n[úu]mero\s+de\s+(?:paciente|historia(?:\s+cl[íi]nica)?|afiliado)|pati[ëe]ntnummer|bsn|id\s+(?:number|no\.?|#))(?:\s*(?:is|was|:|#|no\.?|number|nr\.?)){0,2}\s*/gi;
const ID_VALUE = /[A-Za-z]{0,4}[-#]?\d[A-Za-z0-9-]{1,24}(?:\s\d{2,6}){0,3}(?![\w])/y;
const DIGIT_WORDS = 'zero|oh|one|two|three|four|five|six|seven|eight|nine';
const SPOKEN_DIGITS = new RegExp(
  `\\b(?:plus\\s+)?(?:${DIGIT_WORDS})(?:(?:\\s*[,.]?\\s+|-)(?:(?:double|triple)\\s+)?(?:${DIGIT_WORDS})\\b){6,}`,
  'gi',
);
const DIGIT_VALUE: Record<string, number> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};

type Finder = (text: string, out: Span[]) => void;

const each = (re: RegExp, text: string, fn: (m: RegExpExecArray) => void) => {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) fn(m);
};

const emails: Finder = (text, out) => {
  if (text.includes('@'))
    each(EMAIL, text, (m) =>
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'email' }),
    );
  if (/\bat\b|[([{<]\s*at\s*[)\]}>]/i.test(text))
    each(SPELLED_EMAIL, text, (m) =>
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'email' }),
    );
};

const ibans: Finder = (text, out) =>
  each(IBAN_START, text, (m) => {
    const length = IBAN_LENGTHS[m[1]!.toUpperCase()];
    if (!length) return;
    // Take `length` letters and digits from the start, single spaces allowed between them.
    let chars = '';
    let i = m.index;
    while (i < text.length && chars.length < length) {
      const ch = text[i]!;
      if (/[A-Za-z0-9]/.test(ch)) chars += ch.toUpperCase();
      else if (ch !== ' ' || text[i + 1] === ' ') break;
      i++;
    }
    if (chars.length === length && !/[A-Za-z0-9]/.test(text[i] ?? '') && passesIbanCheck(chars))
      out.push({ start: m.index, end: i, kind: 'iban' });
  });

const cards: Finder = (text, out) =>
  each(CARD, text, (m) => {
    // The longest prefix that ends at a group boundary and passes Luhn: "…1111 12/27" keeps the date.
    const positions: number[] = [];
    for (let i = 0; i < m[0].length; i++) if (m[0][i] !== ' ' && m[0][i] !== '-') positions.push(i);
    const digits = m[0].replace(/[ -]/g, '');
    for (let k = digits.length; k >= 13; k--) {
      const after = m[0][positions[k - 1]! + 1];
      if (k < digits.length && after !== ' ' && after !== '-') continue;
      if (passesLuhn(digits.slice(0, k))) {
        out.push({ start: m.index, end: m.index + positions[k - 1]! + 1, kind: 'card' });
        return;
      }
    }
  });

const ssns: Finder = (text, out) =>
  each(SSN, text, (m) => {
    if (!isIssuableSsn(m[1]!, m[3]!, m[4]!)) return;
    // With spaces it is too like other numbers to take without a label.
    if (m[2] === ' ' && !SSN_LABEL.test(text.slice(Math.max(0, m.index - 30), m.index))) return;
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'ssn' });
  });

/** A label, then a value that `value` recognises right after it (sticky). */
const labelled =
  (
    label: RegExp,
    value: RegExp,
    kind: PiiKind,
    accept: (v: string) => boolean = () => true,
  ): Finder =>
  (text, out) =>
    each(label, text, (m) => {
      value.lastIndex = m.index + m[0].length;
      const v = value.exec(text);
      if (v && accept(v[0])) out.push({ start: v.index, end: v.index + v[0].length, kind });
    });

const dobs = labelled(DOB_LABEL, DATE_AT, 'dob');
const labelledIds = labelled(ID_LABEL, ID_VALUE, 'id', (v) => (v.match(/\d/g)?.length ?? 0) >= 3);

const ips: Finder = (text, out) => {
  each(IPV4, text, (m) => {
    if (!VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 9), m.index)))
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'ip' });
  });
  if (text.includes(':'))
    each(IPV6, text, (m) => {
      if (m[0].length >= 3 && /[0-9A-Fa-f]/.test(m[0]) && isIpAddress(m[0]))
        out.push({ start: m.index, end: m.index + m[0].length, kind: 'ip' });
    });
};

const phones: Finder = (text, out) => phoneAt(text, out);

const spokenPhones: Finder = (text, out) =>
  each(SPOKEN_DIGITS, text, (m) => {
    const values = (
      m[0].toLowerCase().match(new RegExp(`\\b(?:${DIGIT_WORDS})\\b`, 'g')) ?? []
    ).map((w) => DIGIT_VALUE[w]!);
    // "one, two, three, four, five, six, seven" is counting, not a number.
    const counting = values.every((v, i) => i === 0 || Math.abs(v - values[i - 1]!) === 1);
    const labelBefore = PHONE_LABEL_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index));
    if (!counting || labelBefore)
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'phone' });
  });

const longDigits: Finder = (text, out) =>
  each(LONG_DIGITS, text, (m) =>
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'id' }),
  );

const DIGIT = /\d/;
const DIGIT_WORD = new RegExp(`\\b(?:${DIGIT_WORDS})\\b`, 'i');
const AT_SIGN = /@|\bat\b/i;

/**
 * In rank order, each with what a text must contain for it to find anything: where two
 * spans overlap, the earlier finder's kind wins and the span covers both.
 */
const FINDERS: readonly [RegExp, Finder][] = [
  [AT_SIGN, emails],
  [DIGIT, ibans],
  [DIGIT, cards],
  [DIGIT, ssns],
  [DIGIT, dobs],
  [DIGIT, labelledIds],
  [/[\d:]/, ips],
  [DIGIT, phones],
  [DIGIT_WORD, spokenPhones],
  [DIGIT, longDigits],
];

// Nothing to find without a digit, an @, an "at" or a digit word: most strings stop here.
const MAYBE = new RegExp(`[0-9@]|\\bat\\b|\\b(?:${DIGIT_WORDS})\\b`, 'i');

/** Every span of personal data in `text`, sorted, none overlapping. */
export function findPii(text: string): Span[] {
  if (!MAYBE.test(text)) return [];
  const accepted: Span[] = [];
  for (const [needs, find] of FINDERS) {
    if (!needs.test(text)) continue;
    const found: Span[] = [];
    find(text, found);
    for (const span of found) {
      const overlapping = accepted.filter((a) => a.start < span.end && span.start < a.end);
      if (overlapping.length === 0) accepted.push({ ...span });
      else {
        // Never leave part of a match behind: the earlier span grows to cover this one.
        const first = overlapping[0]!;
        first.start = Math.min(first.start, span.start);
        first.end = Math.max(first.end, span.end);
      }
    }
  }
  return mergeTouching(accepted.sort((a, b) => a.start - b.start));
}

function mergeTouching(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push(s);
  }
  return out;
}
