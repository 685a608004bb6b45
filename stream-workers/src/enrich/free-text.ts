import { contractLeaves, type Leaf, type StreamName } from '@backbone/schemas';
import { memoize } from '@backbone/runtime';
import { redactText } from './redact.js';
import { rewriteText } from './text-leaves.js';
import { reduceUrl } from './url.js';

/**
 * The payload fields whose contract is free text or a URL (titles, element labels, custom
 * event names and properties, error messages, link targets): people type or paste personal
 * data there often enough that every value is redacted on the way through. Critical text
 * (transcripts) follows the tenant's policy instead.
 */
export const freeTextLeaves = memoize(
  (stream: StreamName): Leaf[] =>
    contractLeaves(stream, 'raw').filter(
      (l) =>
        l.path.startsWith('payload.') &&
        l.privacy !== 'critical' &&
        (l.contract === 'free_text' || l.contract === 'url'),
    ),
  16,
);

/** Redacts the free-text and URL fields of a payload in place; returns how many values changed. */
export function redactFreeText(stream: StreamName, value: { payload: unknown }): number {
  let changed = 0;
  const clean = (text: string, leaf: Leaf) => {
    if (leaf.contract === 'url') {
      const reduced = reduceUrl(text);
      if (reduced.redactions > 0) changed++;
      return reduced.url;
    }
    const out = redactText(text).text;
    if (out !== text) changed++;
    return out;
  };
  for (const leaf of freeTextLeaves(stream)) rewriteText(value, leaf, clean);
  return changed;
}
