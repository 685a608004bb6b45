/**
 * Redaction of personal data in free text (transcripts, by tenant policy `redact`):
 * emails, phone numbers, payment card numbers (only those passing the Luhn check, so an
 * order number is not mistaken for one), US SSNs and other long ID-like numbers become
 * typed placeholders. Counts say what was found, for metrics; the values never leave.
 */

export type RedactionKind = 'email' | 'card' | 'ssn' | 'phone' | 'id';

export interface Redaction {
  text: string;
  counts: Record<RedactionKind, number>;
}

/** Luhn (mod 10) check of a digit string. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 13–19 digits, optionally grouped by spaces or dashes.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const SSN = /\b\d{3}-\d{2}-\d{4}\b/g;
// International or national numbers: optional +country, groups separated by space, dot, dash, parentheses.
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}\b/g;
// Any remaining run of 6+ digits (IDs, account and record numbers).
const LONG_NUMBER = /\b\d{6,}\b/g;

export function redactText(input: string): Redaction {
  const counts: Record<RedactionKind, number> = { email: 0, card: 0, ssn: 0, phone: 0, id: 0 };
  let text = input.replace(EMAIL, () => (counts.email++, '[EMAIL]'));
  text = text.replace(CARD, (match) => {
    if (!passesLuhn(match.replace(/[ -]/g, ''))) return match;
    counts.card++;
    return '[CARD]';
  });
  text = text.replace(SSN, () => (counts.ssn++, '[SSN]'));
  text = text.replace(PHONE, (match) => {
    const digits = match.replace(/\D/g, '').length;
    // Under 7 digits: times, amounts, versions. Over 15 (E.164's limit): a grouped ID.
    if (digits < 7) return match;
    if (digits > 15) return (counts.id++, '[ID]');
    counts.phone++;
    return '[PHONE]';
  });
  text = text.replace(LONG_NUMBER, () => (counts.id++, '[ID]'));
  return { text, counts };
}
