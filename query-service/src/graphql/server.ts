import type { Server as HttpServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express, { type RequestHandler } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Histogram } from 'prom-client';
import { WebSocketServer } from 'ws';
import { moduleLogger, type Logger } from '@backbone/runtime';
import type { Authenticate, Viewer } from '../auth.js';
import { QueryError } from '../errors.js';
import { costLimits } from './limits.js';
import { resolvers, type QueryContext } from './resolvers.js';
import { typeDefs } from './schema.js';

export interface GraphqlDeps {
  authenticate: Authenticate;
  /** The context of one request or subscription, for an authenticated viewer. */
  contextFor: (viewer: Viewer) => QueryContext;
  logger: Logger;
  operationSeconds: Histogram<'operation' | 'outcome'>;
  introspection: boolean;
}

/**
 * Errors as clients see them: the service's own with their code, GraphQL's (validation,
 * parsing) as they are, anything else as INTERNAL_SERVER_ERROR with the details only logged.
 */
function formatError(given: Logger) {
  const logger = moduleLogger(given, 'graphql');
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof QueryError)
      return {
        message: original.message,
        path: formatted.path,
        extensions: { code: original.code },
      };
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    logger.error({ err: original }, 'GraphQL operation failed');
    return {
      message: 'internal error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * GraphQL on /graphql: queries over HTTP (Apollo Server, cost limits before anything runs)
 * and subscriptions over WebSocket (graphql-ws) on the same path, the token checked at the
 * handshake.
 */
export async function graphqlServer(deps: GraphqlDeps) {
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const server = new ApolloServer<QueryContext>({
    schema,
    introspection: deps.introspection,
    includeStacktraceInErrorResponses: false,
    validationRules: [costLimits({ maxDepth: 8, maxRootFields: 12 })],
    formatError: formatError(deps.logger),
    plugins: [
      {
        requestDidStart: () => {
          const started = process.hrtime.bigint();
          return Promise.resolve({
            willSendResponse: ({ operationName, errors }) => {
              deps.operationSeconds.observe(
                {
                  operation: operationName ?? '(anonymous)',
                  outcome: errors?.length ? 'error' : 'ok',
                },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
              return Promise.resolve();
            },
          });
        },
      },
    ],
  });
  await server.start();

  const middleware: RequestHandler[] = [
    express.json({ limit: '100kb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        try {
          return deps.contextFor(await deps.authenticate(req.headers.authorization));
        } catch (err) {
          const status = err instanceof QueryError ? err.status : 401;
          throw new GraphQLError((err as Error).message, {
            extensions: { code: 'UNAUTHENTICATED', http: { status } },
          });
        }
      },
    }),
  ];

  const sockets: { dispose: () => Promise<void> | void }[] = [];
  const attach = (http: HttpServer) => {
    const wss = new WebSocketServer({ server: http, path: '/graphql' });
    sockets.push(
      useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
        {
          schema,
          onConnect: async (ctx) => {
            const given =
              ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
            try {
              ctx.extra.viewer = await deps.authenticate(
                typeof given === 'string' ? given : undefined,
              );
              return true;
            } catch {
              return false; // closes with 4403 Forbidden
            }
          },
          context: (ctx) => deps.contextFor(ctx.extra.viewer as Viewer),
        },
        wss,
      ),
    );
  };
  const closeSubscriptions = async () => {
    for (const s of sockets.splice(0)) await s.dispose();
  };
  return { middleware, attach, closeSubscriptions, stop: () => server.stop() };
}
