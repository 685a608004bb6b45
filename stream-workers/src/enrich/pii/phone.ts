import type { Span } from './recognizers.js';

/**
 * Phone numbers written in digits: E.164 and international prefixes, national formats with
 * a trunk 0 (most of Europe), North American 3-3-4, Spanish 3-3-3, digits read out one by
 * one, and any grouping of 7–15 digits after a word such as "phone", "call" or "Tel.".
 * Dates, year ranges, times, versions and measured quantities are never phone numbers;
 * neither are groupings such as "98 97 95 99" (scores) or "1.250.000" (an amount).
 */

export const PHONE_LABEL_BEFORE =
  /(?:phone|tel\.?|telephone|call(?:\s+me)?(?:\s+(?:at|on))?|mobile|cell|fax|ring|text\s+me|whats\s?app|number|nummer|telefon|handy|r[ée]f[ée]rence|t[ée]l[ée]phone|portable|tel[ée]fono|m[óo]vil|n[úu]mero|numéro|bel(?:\s+me)?)\b[^\d\n]{0,14}$/i;

const GROUP = String.raw`(?:\(\s?\+?\d{1,4}\s?\)\s?)?\d{1,15}`;
const SEP = String.raw`(?:[ \t]?[-./][ \t]?|[ \t])`;
const CANDIDATE = new RegExp(
  String.raw`(?<![\w+.,/-])(?:\+[ \t]?|00(?=[1-9]))?${GROUP}(?:${SEP}${GROUP}){0,9}(?![\w]|[.,]\d)`,
  'g',
);
const GROUP_IN = /\(\s?\+?(\d{1,4})\s?\)\s?(\d{1,15})|(\d{1,15})/g;

// Spans that look like numbers but are not phone numbers or identifiers.
const PROTECTED = [
  /\b(?:19|20)\d{2}\s?[-–/]\s?(?:(?:19|20)\d{2}|\d{2})\b/g, // year ranges
  /\b\d{4}-\d{1,2}-\d{1,2}\b/g, // ISO dates
  // day and month dates (either order), not the first groups of a longer dotted number
  /\b(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|[12]\d|3[01])\1(?:\d{4}|\d{2})\b(?![./-]\d)/g,
  /\b\d{1,2}:\d{2}(?::\d{2})?\b/g, // times
  /\b(?:v|version|build|release)\s?\d+(?:\.\d+){1,3}\b/gi, // versions
  /\b\d+(?:[.,]\d+)?\s?(?:mg|mcg|µg|g|kg|ml|l|iu|units?|mmhg|bpm|%|°[cf]|hours?|mins?|minutes?)\b/gi,
];

interface Group {
  start: number;
  end: number;
  digits: string;
  parens: boolean;
}

function protectedSpans(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const re of PROTECTED) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

function isPhone(groups: Group[], international: boolean, labelled: boolean): boolean {
  const digits = groups.map((g) => g.digits).join('');
  const n = digits.length;
  if (n < 7 || n > 15) return false;
  if (international) return n >= 8;
  if (labelled) return true;
  const lengths = groups.map((g) => g.digits.length).join(',');
  if (groups.some((g) => g.parens)) return true;
  // Digits read out or written one by one: 4 1 5 5 5 5 0 1 3 2.
  if (groups.length >= 7 && groups.every((g) => g.digits.length === 1)) return true;
  if (digits[0] === '0' && n >= 9 && n <= 12 && groups.length >= 2) return true;
  if (/^[2-9]/.test(digits)) {
    if (n === 10 && (lengths === '3,3,4' || lengths === '3,7')) return true;
    // Spain has no trunk 0: 612 345 678, 91 123 45 67.
    if (n === 9 && groups.length >= 3 && /^[6-9]/.test(digits)) return true;
    if (n === 7 && lengths === '3,4') return true;
  }
  return n === 11 && digits[0] === '1' && lengths === '1,3,3,4';
}

/** Grouped digit runs of 16+ digits that are no card: account and reference numbers. */
const isGroupedId = (groups: Group[]) =>
  groups.reduce((n, g) => n + g.digits.length, 0) >= 16 &&
  groups.slice(0, -1).every((g) => g.digits.length >= 3);

/** Phone numbers in `text`, each the longest run of groups that reads as one. */
export function phoneAt(text: string, out: Span[]): void {
  if (!/\d/.test(text)) return;
  const guarded = protectedSpans(text);
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const groups: Group[] = [];
    GROUP_IN.lastIndex = 0;
    for (let g = GROUP_IN.exec(m[0]); g; g = GROUP_IN.exec(m[0]))
      groups.push({
        start: m.index + g.index,
        end: m.index + g.index + g[0].length,
        digits: g[3] ?? `${g[1]}${g[2]}`,
        parens: g[3] === undefined,
      });
    const prefixed = /^(?:\+|00)/.test(m[0]);
    if (prefixed && m[0].startsWith('00')) groups[0]!.digits = groups[0]!.digits.slice(2);
    // A run inside a dotted or dashed number (11.0.21480.2296) is no number of its own:
    // runs start and end only where a space separates them from the rest.
    const spaceBefore = (k: number) =>
      k === 0 || /\s/.test(text.slice(groups[k - 1]!.end, groups[k]!.start));
    const spaceAfter = (k: number) => k === groups.length - 1 || spaceBefore(k + 1);
    let i = 0;
    while (i < groups.length) {
      let found = -1;
      for (let j = groups.length - 1; j >= i && spaceBefore(i); j--) {
        if (!spaceAfter(j)) continue;
        const start = i === 0 ? m.index : groups[i]!.start;
        const end = groups[j]!.end;
        if (guarded.some(([a, b]) => a < end && start < b)) continue;
        const slice = groups.slice(i, j + 1);
        const labelled = PHONE_LABEL_BEFORE.test(text.slice(Math.max(0, start - 40), start));
        if (isPhone(slice, prefixed && i === 0, labelled) || isGroupedId(slice)) {
          out.push({ start, end, kind: isGroupedId(slice) && !labelled ? 'id' : 'phone' });
          found = j;
          break;
        }
      }
      i = found >= 0 ? found + 1 : i + 1;
    }
  }
}
