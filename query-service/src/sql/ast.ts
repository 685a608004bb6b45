/**
 * ClickHouse's own parse of a statement, read from `EXPLAIN AST` (which parses and runs
 * nothing, unlike EXPLAIN QUERY TREE, which folds constants such as file('x')). One node a
 * line, a space of indent a level: `TableIdentifier db.t (alias x) (children 1)`.
 */
export interface AstNode {
  kind: string;
  /** What follows the kind: a name, a literal, a function name. */
  text: string;
  children: AstNode[];
}

const SUFFIX = /\s+\((?:children \d+|alias [^)]*)\)$/;

export function parseExplainAst(output: string): AstNode[] {
  const roots: AstNode[] = [];
  const open: { depth: number; node: AstNode }[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const depth = line.length - line.trimStart().length;
    let body = line.trim();
    while (SUFFIX.test(body)) body = body.replace(SUFFIX, '');
    const space = body.indexOf(' ');
    const node: AstNode = {
      kind: space === -1 ? body : body.slice(0, space),
      text: space === -1 ? '' : body.slice(space + 1).trim(),
      children: [],
    };
    while (open.length > 0 && (open.at(-1) as { depth: number }).depth >= depth) open.pop();
    const parent = open.at(-1);
    if (parent) parent.node.children.push(node);
    else roots.push(node);
    open.push({ depth, node });
  }
  return roots;
}

/** Every node of a tree, depth first, with its parent. */
export function* walk(
  nodes: AstNode[],
  parent?: AstNode,
): Generator<{ node: AstNode; parent: AstNode | undefined }> {
  for (const node of nodes) {
    yield { node, parent };
    yield* walk(node.children, node);
  }
}
