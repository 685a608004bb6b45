/**
 * The request body parser: strict UTF-8, JSON, and limits on nesting depth and the number
 * of fields, so no request can make the gateway walk an unbounded structure.
 */

export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(
  raw: Buffer,
  limits: { maxDepth: number; maxFields: number },
): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BodyError('The body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BodyError(`The body is not valid JSON: ${(err as Error).message}`);
  }
  let fields = 0;
  const walk = (v: unknown, depth: number): void => {
    if (depth > limits.maxDepth)
      throw new BodyError(`The body nests deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      fields += v.length;
      for (const item of v) walk(item, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.values(v);
      fields += entries.length;
      for (const item of entries) walk(item, depth + 1);
    }
    if (fields > limits.maxFields)
      throw new BodyError(`The body has more than ${limits.maxFields} fields`);
  };
  walk(value, 1);
  return value;
}
