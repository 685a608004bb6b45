import { parentAt, type Leaf } from '@backbone/schemas';

/**
 * Rewrites, in place, the text at `leaf` of a record: a string, or every key and string value
 * of a map of strings. `rewrite` returns the text unchanged when there is nothing to do.
 */
export function rewriteText(
  record: unknown,
  leaf: Leaf,
  rewrite: (text: string, leaf: Leaf) => string,
): void {
  const parent = parentAt(record, leaf.segments);
  const name = leaf.segments.at(-1)!;
  const v = parent?.[name];
  if (!parent || v === null || v === undefined) return;
  if (typeof v === 'string') parent[name] = rewrite(v, leaf);
  else if (leaf.kind === 'map' && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out[rewrite(k, leaf)] = typeof x === 'string' ? rewrite(x, leaf) : x;
    parent[name] = out;
  }
}
