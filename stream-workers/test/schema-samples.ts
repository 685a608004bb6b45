import { randomUUID } from 'node:crypto';
import {
  contractLeaves,
  STREAM_SCHEMAS,
  STREAMS,
  type Leaf,
  type StreamName,
  type ValueContract,
} from '@backbone/schemas';

/**
 * Valid collector-API events of any event type, built from the schemas alone, and the
 * places in them a client can put text: so a test over "every string field of every event
 * type" covers a field added tomorrow without being edited.
 */

const VALID: Record<ValueContract, string> = {
  uuid: '00000000-0000-4000-8000-000000000000',
  code: 'model-1',
  locale: 'en-US',
  timezone: 'UTC',
  currency: 'EUR',
  country: 'DE',
  ip: '203.0.113.7',
  identifier: 'id-1',
  free_text: 'hello',
  url: '/p',
  host: 'example.org',
  label: 'x',
};

type Json = Record<string, unknown>;

function sample(type: unknown, field: { contract?: string }): unknown {
  if (Array.isArray(type)) return type.includes('null') ? null : sample(type[0], field);
  if (type === 'string') return VALID[(field.contract ?? 'free_text') as ValueContract];
  if (type === 'int' || type === 'long') return 1;
  if (type === 'float' || type === 'double') return 0.5;
  if (type === 'boolean') return false;
  const t = type as Json;
  if (t.type === 'enum') return (t.symbols as string[])[0];
  if (t.type === 'map') return { k: 'v' };
  if (t.type === 'long' || t.type === 'int') return 1;
  throw new Error(`no sample for ${JSON.stringify(type)}`);
}

function findRecord(node: unknown, name: string): Json | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findRecord(n, name);
      if (found) return found;
    }
  } else if (node && typeof node === 'object') {
    const n = node as Json;
    if (n.type === 'record' && n.name === name) return n;
    for (const key of ['fields', 'type', 'items', 'values'])
      if (n[key] !== undefined) {
        const found = findRecord(n[key], name);
        if (found) return found;
      }
  }
  return undefined;
}

/** Every event type with its stream. */
export const EVENT_TYPES = (Object.keys(STREAMS) as StreamName[]).flatMap((stream) =>
  Object.keys(STREAMS[stream].eventTypes).map((eventType) => ({ stream, eventType })),
);

const branchOf = (stream: StreamName, eventType: string): string =>
  (STREAMS[stream].eventTypes as Record<string, string>)[eventType]!;

/** A valid collector-API event of `eventType` (consent given, every context field set). */
export function sampleRequestEvent(stream: StreamName, eventType: string): Json {
  const branch = branchOf(stream, eventType);
  const record = findRecord(STREAM_SCHEMAS[stream], branch);
  if (!record) throw new Error(`no record ${branch}`);
  const properties: Json = {};
  for (const f of record.fields as { name: string; type: unknown; contract?: string }[])
    properties[f.name] = sample(f.type, f);
  // The gateway derives a segment's finality from its event type.
  if (branch === 'backbone.events.stt.TranscriptSegment') delete properties.is_final;
  return {
    event_id: randomUUID(),
    event_type: eventType,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    session_id: 'sess-1',
    anonymous_id: 'anon-1',
    user_id: 'user-1',
    properties,
    context: {
      user_agent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      locale: 'en-US',
      timezone: 'UTC',
      page_url: 'https://shop.example/p',
      referrer: 'https://www.google.com/',
    },
    consent: { analytics: true },
  };
}

export interface Target {
  leaf: Leaf;
  /** Where a collector-API client puts it (events[i].…), or null when only a Kafka producer can. */
  requestField: string | null;
  /** Puts `text` into a collector-API event (maps get it as a key and as a value). */
  put(event: Json, text: string): void;
}

// Set by the server from the API key or the socket, never taken from the body.
const SERVER_SET = new Set(['envelope.tenant_id', 'envelope.source', 'envelope.context.ip']);

/** Every text field of `eventType` that holds a client's value, with where the client puts it. */
export function textTargets(stream: StreamName, eventType: string): Target[] {
  const branch = branchOf(stream, eventType);
  return contractLeaves(stream, 'raw').flatMap((leaf): Target[] => {
    if (leaf.kind !== 'string' && leaf.kind !== 'map') return [];
    const [root, ...rest] = leaf.segments;
    if (root === 'payload') {
      if (rest[0] !== branch) return [];
      const name = rest[1]!;
      return [
        {
          leaf,
          requestField: `properties.${name}`,
          put: (event, text) => {
            (event.properties as Json)[name] = leaf.kind === 'map' ? { [text]: text } : text;
          },
        },
      ];
    }
    if (SERVER_SET.has(leaf.path)) return [{ leaf, requestField: null, put: () => undefined }];
    const field = rest.join('.');
    return [
      {
        leaf,
        requestField: field,
        put: (event, text) => {
          if (rest[0] === 'context') (event.context as Json)[rest[1]!] = text;
          else event[field] = text;
        },
      },
    ];
  });
}
