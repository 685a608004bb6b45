import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Cost limits checked before anything runs: how deep a selection nests (through fragments
 * too), and how many top-level fields one request asks for — aliases can repeat an
 * expensive query many times in one request.
 */
export function costLimits(options: { maxDepth: number; maxRootFields: number }) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

    const depth = (set: SelectionSetNode, seen: Set<string>): number => {
      let deepest = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD)
          deepest = Math.max(deepest, s.selectionSet ? 1 + depth(s.selectionSet, seen) : 1);
        else if (s.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depth(s.selectionSet, seen));
        else if (!seen.has(s.name.value)) {
          const f = fragments.get(s.name.value);
          if (f)
            deepest = Math.max(deepest, depth(f.selectionSet, new Set([...seen, s.name.value])));
        }
      }
      return deepest;
    };

    return {
      OperationDefinition(node) {
        const d = depth(node.selectionSet, new Set());
        if (d > options.maxDepth)
          context.reportError(
            new GraphQLError(`query is ${d} levels deep; the limit is ${options.maxDepth}`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        const roots = node.selectionSet.selections.length;
        if (roots > options.maxRootFields)
          context.reportError(
            new GraphQLError(
              `query asks for ${roots} top-level fields; the limit is ${options.maxRootFields}`,
              { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } },
            ),
          );
      },
    };
  };
}
