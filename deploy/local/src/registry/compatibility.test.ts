import { describe, expect, it } from 'vitest';
import {
  checkCompatibility,
  normalizedForm,
  parseAvro,
  type CompatibilityLevel,
} from './compatibility.js';

const record = (fields: object[]) =>
  parseAvro(JSON.stringify({ type: 'record', name: 'E', fields }));
const base = record([{ name: 'id', type: 'string' }]);
const addedWithDefault = record([
  { name: 'id', type: 'string' },
  { name: 'n', type: 'int', default: 0 },
]);
const addedRequired = record([
  { name: 'id', type: 'string' },
  { name: 'n', type: 'int' },
]);
const widened = parseAvro(
  JSON.stringify({
    type: 'record',
    name: 'E',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'long', default: 0 },
    ],
  }),
);

describe('checkCompatibility', () => {
  it.each<[string, CompatibilityLevel, ReturnType<typeof record>, boolean]>([
    ['adding a field with a default is backward compatible', 'BACKWARD', addedWithDefault, true],
    ['adding a required field is not backward compatible', 'BACKWARD', addedRequired, false],
    ['adding a required field is forward compatible', 'FORWARD', addedRequired, true],
    ['adding a required field is not fully compatible', 'FULL', addedRequired, false],
    ['adding a field with a default is fully compatible', 'FULL', addedWithDefault, true],
    ['anything goes under NONE', 'NONE', parseAvro('"string"'), true],
  ])('%s', (_what, level, candidate, compatible) => {
    expect(checkCompatibility(level, candidate, [base]).compatible).toBe(compatible);
  });

  it('lets a reader widen int to long but not narrow long to int', () => {
    expect(checkCompatibility('BACKWARD', widened, [addedWithDefault]).compatible).toBe(true);
    expect(checkCompatibility('BACKWARD', addedWithDefault, [widened]).compatible).toBe(false);
  });

  it('checks only the latest version unless the level is transitive', () => {
    const older = record([{ name: 'x', type: 'int' }]);
    const latest = record([{ name: 'y', type: 'int', default: 0 }]);
    const candidate = record([{ name: 'y', type: 'int' }]);
    expect(checkCompatibility('BACKWARD', candidate, [older, latest]).compatible).toBe(true);
    const transitive = checkCompatibility('BACKWARD_TRANSITIVE', candidate, [older, latest]);
    expect(transitive.compatible).toBe(false);
    expect(transitive.messages[0]).toMatch(/^BACKWARD:/);
  });
});

describe('normalizedForm', () => {
  it('ignores white space and key order but keeps privacy attributes', () => {
    const a =
      '{"type":"record","name":"E","fields":[{"name":"ip","type":"string","privacy":"medium"}]}';
    const b =
      '{ "name": "E", "fields": [ { "privacy": "medium", "type": "string", "name": "ip" } ], "type": "record" }';
    const c = a.replace('medium', 'high');
    expect(normalizedForm(a)).toBe(normalizedForm(b));
    expect(normalizedForm(a)).not.toBe(normalizedForm(c));
  });
});
