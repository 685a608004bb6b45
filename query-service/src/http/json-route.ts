import type { NextFunction, Request, Response } from 'express';
import { badInput, QueryError } from '../errors.js';

/**
 * An async JSON route: a QueryError answers as itself; any other failure (a dependency that
 * cannot be reached) as 503 with `unavailable` as the message, never a 500.
 */
export const handler =
  (unavailable: string) =>
  (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction) => {
    void fn(req, res).catch((err: unknown) =>
      next(
        err instanceof QueryError || !(err instanceof Error)
          ? err
          : new QueryError('UNAVAILABLE', 503, unavailable, { cause: err }),
      ),
    );
  };

/** The request's body as a JSON object of only the `allowed` fields; 400 naming the field. */
export function jsonObject(req: Request, allowed: readonly string[]): Record<string, unknown> {
  const b: unknown = req.body ?? {};
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw badInput('(body): a JSON object');
  for (const key of Object.keys(b))
    if (!allowed.includes(key)) throw badInput(`${key}: not a field here (${allowed.join(', ')})`);
  return b as Record<string, unknown>;
}
