import { EventProducer } from '@backbone/schemas/producer';
import { quantile } from '@backbone/test';
import { kafkaAuth } from '@backbone/runtime';
import { benchWebEvent as event } from './web-events.js';

/**
 * The producer SDK as an application uses it, at 1,000 events/s for 5 s: how long produce()
 * holds the caller (validate, encode, enqueue) and how long until Kafka has the event.
 */
export async function sdkLatency(brokers: string, registryUrl: string) {
  const sdk = await EventProducer.connect({
    ...kafkaAuth(),
    brokers: [brokers],
    registryUrl,
    clientId: 'bench-sdk',
  });
  const calls: number[] = [];
  const delivered: number[] = [];
  const pending: Promise<void>[] = [];
  const begun = performance.now();
  for (let i = 0; i < 5000; i++) {
    const wait = begun + i - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    const p = sdk.produce('web', event(i, 'sdk', Date.now()));
    calls.push(performance.now() - t0);
    pending.push(p.then(() => void delivered.push(performance.now() - t0)));
  }
  await Promise.all(pending);
  await sdk.close();
  calls.sort((a, b) => a - b);
  delivered.sort((a, b) => a - b);
  return {
    callP50: quantile(calls, 0.5),
    callP99: quantile(calls, 0.99),
    deliveredP50: quantile(delivered, 0.5),
    deliveredP99: quantile(delivered, 0.99),
  };
}
