import { STREAM_SCHEMAS, ENRICHED_SCHEMAS } from './generated/schemas.js';
import type { SchemaKind, StreamName } from './catalog.js';
import { isCodeContract, walkContracts, type Leaf } from './contracts.js';

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

const MASKED = new Set(['medium', 'high', 'critical']);
const checked = new Map<string, readonly Leaf[]>();

/**
 * The values `validateContracts` looks at: floating-point numbers and code fields. In events.*
 * values, fields masked by their class hold hashes, so their codes are not checked there.
 */
export function checkedLeaves(stream: StreamName, kind: SchemaKind = 'raw'): readonly Leaf[] {
  const key = `${kind}:${stream}`;
  let leaves = checked.get(key);
  if (!leaves) {
    leaves = contractLeaves(stream, kind).filter(
      (l) =>
        l.kind === 'float' ||
        l.kind === 'double' ||
        (l.contract !== undefined &&
          isCodeContract(l.contract) &&
          !(kind === 'events' && l.privacy !== undefined && MASKED.has(l.privacy))),
    );
    checked.set(key, leaves);
  }
  return leaves;
}
