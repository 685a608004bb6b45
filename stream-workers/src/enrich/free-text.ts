import { STREAM_SCHEMAS, walkPrivacy, type StreamName } from '@backbone/schemas';
import { memoize } from '../memo.js';
import { redactText } from './redact.js';

/**
 * The payload fields where people type or paste text: class `low` (kept in analytics) and not
 * an identifier (`*_id`). Titles, element labels, custom properties and error messages end up
 * holding emails and phone numbers often enough that they are redacted on the way through.
 */
export const freeTextFields = memoize(
  (stream: StreamName): Set<string> =>
    new Set(
      walkPrivacy(STREAM_SCHEMAS[stream])
        .fields.filter((f) => f.privacy === 'low' && f.path.startsWith('payload.'))
        .map((f) => f.path.split('.').at(-1) as string)
        .filter((name) => !name.endsWith('_id')),
    ),
  16,
);

/** Redacts the free-text fields of one payload branch in place; returns how many values changed. */
export function redactFreeText(stream: StreamName, branch: Record<string, unknown>): number {
  let changed = 0;
  const redact = (text: string) => {
    const out = redactText(text).text;
    if (out !== text) changed++;
    return out;
  };
  for (const name of freeTextFields(stream)) {
    const value = branch[name];
    if (typeof value === 'string') branch[name] = redact(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      branch[name] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          redact(k),
          typeof v === 'string' ? redact(v) : v,
        ]),
      );
    }
  }
  return changed;
}
