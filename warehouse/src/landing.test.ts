import { describe, expect, it } from 'vitest';
import { ENRICHED_SCHEMAS, STREAM_NAMES } from '@backbone/schemas';
import { rowColumns } from './columns.js';
import { fitsLanding, landingDdl, landingShape, landingTable } from './landing.js';

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
interface Rec {
  name: string;
  fields: { name: string; type: unknown }[];
}
const field = (rec: Rec, name: string) => rec.fields.find((f) => f.name === name)!;

describe('landing tables', () => {
  it.each(STREAM_NAMES)('%s: the view fills every raw column from a landing column', (s) => {
    const [table, view] = landingDdl(s, { database: 'db', suffix: '__x' });
    expect(table).toContain(`\`db\`.\`${landingTable(s)}__x\``);
    expect(table).toContain('ENGINE = Null');
    expect(view).toContain(`TO \`db\`.\`${s.replace('.', '_')}_events__x\``);
    const selected = [...view!.matchAll(/ AS `([^`]+)`,?\n/g)].map((m) => m[1]);
    const provenance = ['_partition', '_offset'];
    expect([...selected, ...provenance]).toEqual(rowColumns(s));
    // Every leaf the view reads is a column of the landing table.
    for (const leaf of view!.matchAll(/`(event\.[a-z_.]+)`/g))
      expect(table).toContain(`\`${leaf[1]}\` `);
  });

  it('reads the envelope by dotted path and the payload union as a Variant of Tuples', () => {
    const shape = landingShape(ENRICHED_SCHEMAS.web);
    expect(shape.leaves.get('event.envelope.event_id')).toBe('String');
    expect(shape.leaves.get('event.envelope.occurred_at')).toBe('DateTime64(3)');
    expect(shape.leaves.get('event.envelope.anonymous_id')).toBe('Nullable(String)');
    expect(shape.leaves.get('event.envelope.consent.gpc')).toBe('Bool');
    expect(shape.payload).toContain('Tuple(url String, title Nullable(String))');
    expect(shape.payload).toContain('Tuple(name String, properties Map(String, String))');
    expect(landingShape(ENRICHED_SCHEMAS['stt.session']).payload).toContain(
      "status Enum8('completed' = 0, 'cancelled' = 1, 'failed' = 2, 'timeout' = 3)",
    );
  });

  it("takes today's writers and older ones with fewer envelope fields", () => {
    expect(fitsLanding('web', ENRICHED_SCHEMAS.web)).toBe(true);
    const older = copy(ENRICHED_SCHEMAS.web) as unknown as Rec;
    const enrichment = field(older, 'enrichment').type as Rec;
    enrichment.fields = enrichment.fields.filter((f) => f.name !== 'redactions');
    expect(fitsLanding('web', older)).toBe(true);
    const newer = copy(ENRICHED_SCHEMAS.web) as unknown as Rec;
    (field(newer, 'enrichment').type as Rec).fields.push({ name: 'extra', type: 'string' });
    expect(fitsLanding('web', newer)).toBe(false);
  });

  it('sends a writer whose payload or field types differ down the decoding path', () => {
    const payload = copy(ENRICHED_SCHEMAS.web) as unknown as Rec;
    const [pageView] = field(payload, 'payload').type as Rec[];
    pageView!.fields = pageView!.fields.filter((f) => f.name !== 'title');
    expect(fitsLanding('web', payload)).toBe(false);
    const retyped = copy(ENRICHED_SCHEMAS.web) as unknown as Rec;
    field(field(retyped, 'enrichment').type as Rec, 'redactions').type = 'long';
    expect(fitsLanding('web', retyped)).toBe(false);
    expect(
      fitsLanding('web', { type: 'record', name: 'X', fields: [{ name: 'a', type: 'fixed' }] }),
    ).toBe(false);
  });
});
