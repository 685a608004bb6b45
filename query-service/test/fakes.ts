import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { OpenApiContract } from '@backbone/test/openapi';
import type { Repositories } from '../src/repositories/index.js';

export type Call = { read: string; args: unknown[] };
export type Answers = Partial<Record<string, (...args: unknown[]) => unknown>>;

/** Readers that answer from `answers` ("area.method") and record every call. */
export function fakeRepositories(answers: Answers, calls: Call[]): Repositories {
  const area = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => {
          if (typeof method !== 'string' || method === 'then') return undefined;
          return (...args: unknown[]) => {
            const read = `${name}.${method}`;
            calls.push({ read, args });
            const answer = answers[read];
            if (!answer) return Promise.reject(new Error(`${read} has no answer in this test`));
            return Promise.resolve(answer(...args));
          };
        },
      },
    );
  return {
    stats: area('stats'),
    segments: area('segments'),
    web: area('web'),
    speech: area('speech'),
    live: area('live'),
    exports: area('exports'),
  } as unknown as Repositories;
}

/** A logger that keeps its lines, to show what an error leaves in the log. */
export function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** The service's OpenAPI document: the unit suites check every answer they inject against it. */
export const QUERY_API = OpenApiContract.load(
  fileURLToPath(new URL('../openapi.yaml', import.meta.url)),
);
