import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costLimits } from './limits.js';

const schema = buildSchema(`
  type Node { id: ID!, child: Node }
  type Query { node: Node, other: Int }
`);
const check = (query: string) =>
  validate(schema, parse(query), [costLimits({ maxDepth: 3, maxRootFields: 2 })]).map(
    (e) => e.message,
  );

describe('costLimits', () => {
  it('lets a query within the limits through', () => {
    expect(check('{ node { child { id } } other }')).toEqual([]);
  });

  it('refuses a query nested too deep, also through fragments', () => {
    expect(check('{ node { child { child { id } } } }')).toEqual([
      'query is 4 levels deep; the limit is 3',
    ]);
    expect(check('query { node { ...F } } fragment F on Node { child { child { id } } }')).toEqual([
      'query is 4 levels deep; the limit is 3',
    ]);
  });

  it('refuses many top-level fields (aliases repeating a costly query)', () => {
    expect(check('{ a: other b: other c: other }')).toEqual([
      'query asks for 3 top-level fields; the limit is 2',
    ]);
  });

  it('terminates on a fragment that spreads itself (the standard rules report the cycle)', () => {
    const messages = validate(
      schema,
      parse('{ node { ...F } } fragment F on Node { child { ...F } }'),
      [...specifiedRules, costLimits({ maxDepth: 3, maxRootFields: 2 })],
    ).map((e) => e.message);
    expect(messages.some((m) => m.includes('Cannot spread fragment "F" within itself'))).toBe(true);
  });
});
