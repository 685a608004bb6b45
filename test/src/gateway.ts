import { randomUUID } from 'node:crypto';
import { waitFor } from '@backbone/runtime';

/** What a gateway test needs of a fastify app: light-my-request's inject. */
interface Injectable {
  inject(o: {
    method: 'POST';
    url: string;
    headers: Record<string, string>;
    payload: string;
  }): Promise<{ statusCode: number }>;
}

/** A batch of one valid page view (a new event id each time), as the body a client sends. */
export const pageViewBatch = (): string =>
  JSON.stringify({
    events: [
      {
        event_id: randomUUID(),
        event_type: 'page_view',
        timestamp: new Date().toISOString(),
        session_id: 's-1',
        properties: { url: '/' },
      },
    ],
  });

/** The status a gateway answers one valid page view sent with `key`: 202 taken, 401 refused. */
export async function gatewayStatus(app: Injectable, key: string): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    payload: pageViewBatch(),
  });
  return res.statusCode;
}

/** Waits (5 s at most) until every gateway answers `status` for the key; how long it took. */
export async function everyGateway(
  apps: readonly Injectable[],
  key: string,
  status: number,
): Promise<number> {
  const started = Date.now();
  await waitFor(
    async () =>
      (await Promise.all(apps.map((a) => gatewayStatus(a, key)))).every((s) => s === status),
    { timeoutMs: 5000, intervalMs: 50, description: `${status} from every gateway` },
  );
  return Date.now() - started;
}
