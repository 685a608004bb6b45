import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selects } from './selection.js';

const schema = buildSchema(`
  type Row { name: String visitors: Int }
  type Query { rows: [Row] }
`);

/** What `selects(info, 'visitors')` said for `rows` in a document. */
async function asked(document: string): Promise<boolean> {
  let answer: boolean | undefined;
  await graphql({
    schema,
    source: document,
    rootValue: {
      rows: (_: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        answer = selects(info, 'visitors');
        return [];
      },
    },
  });
  return answer!;
}

describe('selects', () => {
  it('tells whether a field is asked for, directly or through fragments', async () => {
    expect(await asked('{ rows { name } }')).toBe(false);
    expect(await asked('{ rows { name visitors } }')).toBe(true);
    expect(await asked('{ rows { ... on Row { visitors } } }')).toBe(true);
    expect(await asked('{ rows { ...F } } fragment F on Row { name visitors }')).toBe(true);
    expect(await asked('{ rows { ...F } } fragment F on Row { name }')).toBe(false);
  });
});
