import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from './catalog.js';
import { buildStreamSchemas, generate, SchemaBuildError } from './codegen.js';
import { STREAM_SCHEMAS } from './generated/schemas.js';
import { walkPrivacy } from './privacy.js';
import { schemaFiles } from './samples.test-support.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('privacy classes', () => {
  it('are on every field of every stream, nested records and union branches included', () => {
    for (const stream of STREAM_NAMES) {
      const { fields, problems } = walkPrivacy(STREAM_SCHEMAS[stream]);
      expect(problems).toEqual([]);
      expect(fields.length).toBeGreaterThan(20);
    }
    const web = walkPrivacy(STREAM_SCHEMAS.web).fields;
    expect(web).toContainEqual({
      path: 'envelope.context.ip',
      privacy: 'medium',
      subject: 'linked',
    });
    expect(web).toContainEqual({ path: 'envelope.user_id', privacy: 'high', subject: 'user' });
    expect(web).toContainEqual({
      path: 'envelope.anonymous_id',
      privacy: 'medium',
      subject: 'anonymous',
    });
    expect(web).toContainEqual({
      path: 'payload.Conversion.order_id',
      privacy: 'medium',
      subject: 'linked',
    });
    expect(walkPrivacy(STREAM_SCHEMAS['stt.transcript']).fields).toContainEqual({
      path: 'payload.TranscriptSegment.text',
      privacy: 'critical',
      subject: 'linked',
    });
  });

  it('fail the build when a field has none or an unknown one, naming the field', () => {
    const files = schemaFiles().map((f) => {
      if (f.file !== 'web.avsc') return f;
      const json = structuredClone(f.json) as {
        fields: { type: { fields: Record<string, unknown>[] }[] }[];
      };
      const click = json.fields[1]?.type[1] as { fields: Record<string, unknown>[] };
      delete click.fields[0]?.privacy;
      (click.fields[1] as Record<string, unknown>).privacy = 'secret';
      return { ...f, json: json };
    });
    expect(() => buildStreamSchemas(files)).toThrow(SchemaBuildError);
    try {
      buildStreamSchemas(files);
    } catch (err) {
      expect((err as SchemaBuildError).problems).toEqual([
        'web.avsc: field payload.Click.element has no privacy class',
        'web.avsc: field payload.Click.target has an unknown privacy class "secret"',
      ]);
    }
  });

  it('fail the build when a medium+ field does not say how it links to a subject, or links wrongly', () => {
    const edit = (file: string, change: (fields: Record<string, unknown>[]) => void) =>
      schemaFiles().map((f) => {
        if (f.file !== file) return f;
        const json = structuredClone(f.json) as { fields: Record<string, unknown>[] };
        change(json.fields);
        return { ...f, json };
      });
    const problems = (files: ReturnType<typeof schemaFiles>) => {
      try {
        buildStreamSchemas(files);
      } catch (err) {
        return (err as SchemaBuildError).problems;
      }
      return [];
    };
    const field = (fields: Record<string, unknown>[], name: string) =>
      fields.find((f) => f.name === name)!;
    expect(problems(edit('envelope.avsc', (f) => delete field(f, 'user_id').subject))).toContain(
      'web.avsc: field envelope.user_id is class high but does not say whether it identifies a subject (subject: user | anonymous | linked | none)',
    );
    // An IP said to identify no one would leave enrich under the tenant's hash: linkable forever.
    const ctx = (f: Record<string, unknown>[]) =>
      (field(f, 'context').type as { fields: Record<string, unknown>[] }).fields;
    expect(
      problems(edit('envelope.avsc', (f) => (field(ctx(f), 'ip').subject = 'none'))).join('\n'),
    ).toMatch(
      /field envelope\.context\.ip says it identifies no subject, but is neither an identifier/,
    );
    expect(
      problems(edit('envelope.avsc', (f) => (field(ctx(f), 'ip').subject = 'user'))).join('\n'),
    ).toMatch(/field envelope\.context\.ip names the user subject but is not an identifier/);
    expect(
      problems(edit('envelope.avsc', (f) => (field(f, 'event_id').subject = 'linked'))).join('\n'),
    ).toMatch(
      /field envelope\.event_id is class none: only fields of class medium and above carry a subject/,
    );
  });

  it('are kept in the generated, registered schemas, which match avro/*.avsc (else run npm run generate -w @backbone/schemas)', () => {
    const { schemasTs, typesTs } = generate(schemaFiles());
    expect(readFileSync(path.join(root, 'src/generated/schemas.ts'), 'utf8')).toBe(schemasTs);
    expect(readFileSync(path.join(root, 'src/generated/types.ts'), 'utf8')).toBe(typesTs);
  });
});
