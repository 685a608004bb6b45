import type { Server as HttpServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
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
import { tracedRootFields } from '../tracing.js';
import { schemaSDL, typeDefs } from './schema.js';

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
 * What a browser opening /graphql gets: how to query, without anything loaded from elsewhere.
 */
const explorerPage = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backbone GraphQL</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code,pre{background:#f3f3f3;padding:.1rem .3rem}</style>
</head><body>
<h1>Backbone GraphQL</h1>
<p>This is the query service's GraphQL endpoint. Send queries with <code>POST /graphql</code>,
<code>Content-Type: application/json</code> and <code>Authorization: Bearer &lt;token&gt;</code>;
subscriptions use graphql-ws on the same path.</p>
<pre>curl -s http://HOST/graphql -H 'content-type: application/json' \\
  -H "authorization: Bearer $TOKEN" \\
  -d '{"query":"{ realtimeSummary { activeSessions } }"}'</pre>
<p>The schema: <a href="/graphql/schema.graphql">schema.graphql</a> (SDL). Load it, or point the
introspection of a GraphQL client (GraphiQL, Altair, Insomnia, an editor plugin) at this URL
where introspection is on (local mode). query-service/README.md describes every field.</p>
</body></html>
`;

/**
 * GraphQL on /graphql: queries over HTTP (Apollo Server, cost limits before anything runs)
 * and subscriptions over WebSocket (graphql-ws) on the same path, the token checked at the
 * handshake.
 */
export async function graphqlServer(deps: GraphqlDeps) {
  const schema = makeExecutableSchema({ typeDefs, resolvers: tracedRootFields(resolvers) });
  const server = new ApolloServer<QueryContext>({
    schema,
    introspection: deps.introspection,
    includeStacktraceInErrorResponses: false,
    validationRules: [costLimits({ maxDepth: 8, maxRootFields: 12 })],
    formatError: formatError(deps.logger),
    plugins: [
      // Apollo's landing page loads its explorer from a CDN: offline it shows nothing. A
      // browser gets the service's own page instead (explorerPage).
      ApolloServerPluginLandingPageDisabled(),
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

  const sdl = schemaSDL();
  const middleware: RequestHandler[] = [
    // The schema as SDL, for any GraphQL tool offline; the same as schema.graphql.
    (req, res, next) => {
      if (req.method !== 'GET') return next();
      if (req.path === '/schema.graphql') return void res.type('text/plain').send(sdl);
      if (req.path === '/' && !req.query.query && req.accepts(['html', 'json']) === 'html')
        return void res.type('html').send(explorerPage());
      next();
    },
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
