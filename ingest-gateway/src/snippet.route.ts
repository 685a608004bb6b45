import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The browser snippet's source, its version (from its first line) and its gzip form. */
export function loadSnippet(): { version: string; source: Buffer; gzip: Buffer } {
  const source = readFileSync(new URL('../snippet/snippet.js', import.meta.url));
  const version = /backbone snippet (\d+\.\d+\.\d+)/.exec(source.toString('utf8', 0, 200))?.[1];
  if (!version) throw new Error('snippet.js: no version on its first line');
  return { version, source, gzip: gzipSync(source, { level: 9 }) };
}

/**
 * `GET /v1/snippet.js` (the current version, cached for an hour) and
 * `GET /v1/snippet-<version>.js` (that version, cached for good): the browser snippet a site
 * includes with its public key (docs/snippet.md). Gzipped for clients that take it.
 */
export function registerSnippetRoutes(app: FastifyInstance): void {
  const snippet = loadSnippet();
  const send = (maxAge: string) => (req: FastifyRequest, reply: FastifyReply) => {
    void reply
      .type('application/javascript; charset=utf-8')
      .header('Cache-Control', maxAge)
      .header('X-Snippet-Version', snippet.version)
      .header('Vary', 'Accept-Encoding')
      // A site's pages load it from another origin.
      .header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
      return reply.header('Content-Encoding', 'gzip').send(snippet.gzip);
    return reply.send(snippet.source);
  };
  app.get('/v1/snippet.js', send('public, max-age=3600'));
  app.get(`/v1/snippet-${snippet.version}.js`, send('public, max-age=31536000, immutable'));
}
