import { contractLeaves, type Leaf, type StreamName, type ValueContract } from '@backbone/schemas';
import { memoize } from '@backbone/runtime';
import { tokenize, MASKED_VALUE, type MaskKeys } from './mask.js';
import { holdsPii, redactText } from './redact.js';
import { rewriteText } from './text-leaves.js';

/**
 * The last look before encode: every text value of the enriched record that could hold
 * personal data is scanned with the redactor's recognizers. Free text and URLs are
 * redacted again (a no-op unless a step upstream missed one); a hit in a field whose
 * contract says it cannot hold personal data (a code, a label, a host) is replaced by the
 * tenant's token of it and reported by field, so nothing that matched leaves enrich.
 */

// Checked against a pattern or a list, hashed, or tokenized already: nothing to find there.
const SAFE = new Set<ValueContract>([
  'uuid',
  'locale',
  'timezone',
  'currency',
  'country',
  'ip',
  'identifier',
]);

const scanned = memoize(
  (stream: StreamName): Leaf[] =>
    contractLeaves(stream, 'events').filter(
      (l) => (l.kind === 'string' || l.kind === 'map') && !(l.contract && SAFE.has(l.contract)),
    ),
  16,
);

const REDACTS = new Set<ValueContract | undefined>(['free_text', 'url']);

/** Scans `value` in place; returns the paths of the fields where something was replaced. */
export function backstop(
  stream: StreamName,
  value: { envelope: { tenant_id: string } },
  keys: MaskKeys,
): string[] {
  const hits: string[] = [];
  const tenant = value.envelope.tenant_id;
  const fix = (text: string, leaf: Leaf): string => {
    if (MASKED_VALUE.test(text) || !holdsPii(text)) return text;
    hits.push(leaf.path);
    return REDACTS.has(leaf.contract) ? redactText(text).text : tokenize(text, keys, tenant);
  };
  for (const leaf of scanned(stream)) rewriteText(value, leaf, fix);
  return hits;
}
