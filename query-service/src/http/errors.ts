import type { NextFunction, Request, Response } from 'express';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { QueryError } from '../errors.js';

/** Errors of the REST routes as `{status: 'error', code, message}` with their HTTP status. */
export function restErrors(given: Logger) {
  const logger = moduleLogger(given, 'http');
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof QueryError) {
      res.status(err.status).json({ status: 'error', code: err.code, message: err.message });
      return;
    }
    // body-parser's own errors: a body too large (413) or not JSON (400).
    const parse = err as { status?: number; type?: string };
    if (parse.type === 'entity.too.large' || parse.type === 'entity.parse.failed') {
      res.status(parse.status ?? 400).json({
        status: 'error',
        code: parse.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT',
        message:
          parse.type === 'entity.too.large'
            ? 'the request body is too large'
            : 'the body is not valid JSON',
      });
      return;
    }
    logger.error({ err, requestId: res.locals.requestId as unknown }, 'REST request failed');
    res.status(500).json({ status: 'error', code: 'INTERNAL', message: 'internal error' });
  };
}
