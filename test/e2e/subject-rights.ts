import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';

/** The backbone the dashboard tests started: the query service, its tokens, the gateway. */
export interface Backbone {
  base: string;
  tokens: { viewer: string; admin: string };
  gatewayUrl: string;
  apiKey: string;
}

/** What a site and a data protection officer ask of the backbone, as HTTP calls. */
class Client {
  constructor(private readonly backbone: () => Backbone) {}

  private get b() {
    return this.backbone();
  }

  admin = () => ({ authorization: `Bearer ${this.b.tokens.admin}` });

  /** Page views of one person through the gateway, as a site sends them. */
  async send(n: number, ids: { user?: string; device: string }, path = '/visit/') {
    const session = randomUUID();
    const res = await fetch(this.b.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.b.apiKey },
      body: JSON.stringify({
        events: Array.from({ length: n }, (_, i) => ({
          event_id: randomUUID(),
          event_type: 'page_view',
          timestamp: new Date(Date.now() - (n - i) * 1000).toISOString(),
          session_id: session,
          anonymous_id: ids.device,
          ...(ids.user ? { user_id: ids.user } : {}),
          properties: { url: `https://clinic.example${path}${'abcdefgh'[i]}`, title: 'Visit' },
          context: { user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' },
          // A stale client may say so after a withdrawal: the recorded decision wins.
          consent: { analytics: true },
        })),
      }),
    });
    expect(res.status).toBe(202);
  }

  /** The subject's export: its events as NDJSON lines. */
  async exported(query: string) {
    const res = await fetch(`${this.b.base}/api/v1/subjects/export?${query}`, {
      headers: this.admin(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    return (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Asks for an erasure and waits until it is done; its progress. */
  async erase(subject: Record<string, string>) {
    const posted = await fetch(`${this.b.base}/api/v1/subjects/erasure`, {
      method: 'POST',
      headers: { ...this.admin(), 'content-type': 'application/json' },
      body: JSON.stringify(subject),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    let progress: { state: string; stores: { store: string; rows: number }[] } | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${this.b.base}/api/v1/subjects/erasure/${id}`, {
          headers: this.admin(),
        });
        progress = (await res.json()) as typeof progress;
        return progress?.state === 'done';
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'the erasure done' },
    );
    return progress!;
  }

  /** A consent decision, as a site's consent banner sends it to the gateway. */
  async decide(device: string, purposes: Record<string, boolean>, method: string) {
    const res = await fetch(this.b.gatewayUrl.replace('/v1/events', '/api/v1/consent'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.b.apiKey },
      body: JSON.stringify({
        event_id: randomUUID(),
        anonymous_id: device,
        purposes,
        text_version: 'v3',
        text: 'We measure visits to improve our clinic pages.',
        method,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
  }

  async consentOf(device: string) {
    const res = await fetch(`${this.b.base}/api/v1/consent/${device}`, { headers: this.admin() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Rows of web_events by page path prefix: how many, how many without an anonymous id. */
  async webRows(prefix: string) {
    const res = await fetch(`${this.b.base}/api/v1/sql`, {
      method: 'POST',
      headers: { ...this.admin(), 'content-type': 'application/json' },
      body: JSON.stringify({
        sql: `SELECT count() AS n, countIf(anonymous_id IS NULL) AS anonymous FROM web_events WHERE startsWith(page_path, '${prefix}')`,
      }),
    });
    expect(res.status).toBe(200);
    const [[n, anonymous]] = ((await res.json()) as { data: [number, number][] }).data as [
      [number, number],
    ];
    return { n, anonymous };
  }

  /** Waits until `n` rows under the path prefix are in web_events. */
  async rowsArrive(prefix: string, n: number) {
    await waitFor(async () => (await this.webRows(prefix)).n === n, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      description: `${n} visits in web_events`,
    });
    return this.webRows(prefix);
  }
}

/** Letters only: a path segment comes through enrich's redactor as sent. */
const word = () =>
  Array.from({ length: 12 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(
    '',
  );

/**
 * Erasure, access and consent records, asked of the whole backbone as a site and a data
 * protection officer would (docs/privacy.md).
 */
export function describeSubjectRights(backbone: () => Backbone): void {
  const c = new Client(backbone);
  describe('subject rights through the whole backbone', () => {
    it("erases a user through the API within 30 s: their export is empty, another's whole", async () => {
      await c.send(8, { user: 'patient-a@clinic.example', device: 'device-a' });
      await c.send(5, { user: 'patient-b@clinic.example', device: 'device-b' });
      await waitFor(
        async () =>
          (await c.exported('user_id=patient-a%40clinic.example')).length === 8 &&
          (await c.exported('user_id=patient-b%40clinic.example')).length === 5,
        { timeoutMs: 60_000, intervalMs: 1000, description: 'both exports whole' },
      );
      const lines = await c.exported('anonymous_id=device-a');
      expect(lines).toHaveLength(8);
      expect(lines[0]).toMatchObject({ stream: 'web', event_type: 'page_view', tenant_id: 'demo' });
      // The export holds what the warehouse holds: tokens, never the id as sent.
      expect(JSON.stringify(lines)).not.toContain('patient-a');

      const started = Date.now();
      const progress = await c.erase({ user_id: 'patient-a@clinic.example' });
      console.log(`erasure through the API: done ${Date.now() - started} ms after the request`);
      expect(progress.stores.find((s) => s.store === 'web_events')?.rows).toBe(8);
      expect(await c.exported('user_id=patient-a%40clinic.example')).toEqual([]);
      expect(await c.exported('user_id=patient-b%40clinic.example')).toHaveLength(5);
      // A viewer may not ask.
      const viewer = await fetch(`${backbone().base}/api/v1/subjects/erasure`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${backbone().tokens.viewer}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ user_id: 'patient-b@clinic.example' }),
      });
      expect(viewer.status).toBe(403);
    }, 120_000);

    it("records consent decisions as their own stream: a withdrawal gates the person's next event, the latest is queryable, the history is in the export, erasure clears it", async () => {
      const w = word();
      const device = `device-${w}`;
      const path = `/consent/${w}/`;
      await c.decide(device, { analytics: true, marketing: false }, 'banner');
      await c.send(3, { device }, `${path}before/`);
      await c.decide(device, { analytics: false }, 'settings');
      await c.send(4, { device }, `${path}after/`);
      await c.rowsArrive(path, 7);
      expect(await c.webRows(`${path}before/`)).toEqual({ n: 3, anonymous: 0 });
      expect(await c.webRows(`${path}after/`)).toEqual({ n: 4, anonymous: 4 });

      const consent = await c.consentOf(device);
      expect(consent.status).toBe(200);
      expect(consent.body).toMatchObject({
        anonymous_id: device,
        latest: {
          analytics: { granted: false },
          marketing: { granted: false },
          functional: null,
          text_version: 'v3',
          method: 'settings',
        },
      });
      expect(consent.body.history).toHaveLength(2);
      expect(JSON.stringify(consent.body.history)).not.toContain('improve our clinic');
      const lines = await c.exported(`anonymous_id=${device}`);
      expect(lines.map((l) => l.stream).sort()).toEqual([
        'consent',
        'consent',
        'web',
        'web',
        'web',
      ]);

      await c.erase({ anonymous_id: device });
      expect((await c.consentOf(device)).status).toBe(404);
      // The gateway's record of the withdrawal went with the rest: the id is new to it.
      await c.send(2, { device }, `${path}erased/`);
      expect(await c.rowsArrive(`${path}erased/`, 2)).toEqual({ n: 2, anonymous: 0 });
    }, 180_000);
  });
}
