import { STREAM_SCHEMAS, ENRICHED_SCHEMAS } from './generated/schemas.js';
import type { SchemaKind, StreamName } from './catalog.js';
import { walkContracts, type Leaf } from './contracts.js';

const cache = new Map<string, readonly Leaf[]>();

/** Every text and floating-point value of a stream's raw or events.* schema, with its contract. */
export function contractLeaves(stream: StreamName, kind: SchemaKind = 'raw'): readonly Leaf[] {
  const key = `${kind}:${stream}`;
  let leaves = cache.get(key);
  if (!leaves) {
    const schema = (kind === 'raw' ? STREAM_SCHEMAS : ENRICHED_SCHEMAS)[stream];
    leaves = walkContracts(schema).leaves;
    cache.set(key, leaves);
  }
  return leaves;
}
