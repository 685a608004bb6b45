import { signatureHeader } from '@backbone/ingest-gateway';

/** How a webhook is retried: attempts in all, and the first pause (doubled each time). */
export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  firstDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
};

export interface Delivery {
  delivered: boolean;
  attempts: number;
  /** The last answer's status; 0 when none came (the network failed). */
  status: number;
  /** Stopped by a shutdown before it was delivered or given up: to be sent again. */
  interrupted?: boolean;
}

/** Worth another try: no answer, a timeout, too many requests, or a server error. */
const retriable = (status: number) =>
  status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * POSTs a JSON payload signed like signed ingest (X-Signature `t=<unix>,v1=<hex>`, HMAC-SHA256
 * of `<t>.<body>` under the alert's secret; each attempt signed at its own time), with
 * `X-Backbone-Delivery` for the receiver to drop repeats. Retries with exponential backoff
 * and jitter while the receiver cannot take it; a 4xx other than 408 and 429 is final.
 */
export async function deliver(
  url: string,
  payload: { delivery_id: string },
  secret: string,
  retry: RetryPolicy = DEFAULT_RETRY,
  stopped: () => boolean = () => false,
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    let status: number;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'backbone-alerts/1',
          'x-backbone-delivery': payload.delivery_id,
          'x-signature': signatureHeader(secret, Math.floor(Date.now() / 1000), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) return { delivered: true, attempts: attempt, status };
    if (!retriable(status) || attempt >= retry.attempts)
      return { delivered: false, attempts: attempt, status };
    const base = Math.min(retry.maxDelayMs, retry.firstDelayMs * 2 ** (attempt - 1));
    // Slept in slices, so a shutdown does not wait out a long pause.
    const until = Date.now() + base / 2 + Math.random() * (base / 2);
    while (Date.now() < until && !stopped())
      await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
    if (stopped()) return { delivered: false, attempts: attempt, status, interrupted: true };
  }
}
