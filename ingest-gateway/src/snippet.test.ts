import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadSnippet, registerSnippetRoutes } from './snippet.route.js';
import { translate } from './segment.js';

describe('the browser snippet', () => {
  it('is served under 5 kB gzipped, current and pinned by version', async () => {
    const { version, source } = loadSnippet();
    const app = Fastify();
    registerSnippetRoutes(app);
    const current = await app.inject({
      url: '/v1/snippet.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(current.statusCode).toBe(200);
    expect(current.headers['content-encoding']).toBe('gzip');
    expect(current.headers['content-type']).toMatch(/^application\/javascript/);
    expect(current.headers['x-snippet-version']).toBe(version);
    expect(current.rawPayload.length).toBeLessThan(5 * 1024);
    expect(gunzipSync(current.rawPayload)).toEqual(source);
    const pinned = await app.inject({ url: `/v1/snippet-${version}.js` });
    expect(pinned.headers['cache-control']).toContain('immutable');
    expect(pinned.rawPayload).toEqual(source);
    expect((await app.inject({ url: '/v1/snippet-0.0.0.js' })).statusCode).toBe(404);
    await app.close();
  });

  it("sends its clicks as Element Clicked, which become the web stream's click events", () => {
    const t = translate(
      {
        type: 'track',
        event: 'Element Clicked',
        messageId: 'm',
        anonymousId: 'a',
        properties: { element: 'signup', href: 'https://shop.example/signup' },
      },
      'batch[0]',
      { receivedAt: Date.parse('2025-01-15T10:30:00Z') },
    );
    expect(t.ok && t.event).toMatchObject({
      event_type: 'click',
      properties: { element: 'signup', target: 'https://shop.example/signup' },
    });
    const unnamed = translate(
      { type: 'track', event: 'Element Clicked', messageId: 'm', anonymousId: 'a' },
      'batch[0]',
      { receivedAt: 0 },
    );
    expect(unnamed.ok).toBe(false);
  });
});
