/**
 * npm run simulate -- [--rate 200] [--seed 42] [--duration 60] [--backfill-hours 0]
 *                     [--url http://127.0.0.1:8080/v1/events] [--api-key KEY]
 * Realistic web and speech traffic through the ingest gateway (src/simulator). Without
 * --api-key it uses the demo key that `npm start` made in the data directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDirOf, localConfig } from './config.js';
import { Simulator } from './simulator/simulator.js';

const config = localConfig();
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seed: { type: 'string', default: '42' },
    duration: { type: 'string' },
    'backfill-hours': { type: 'string', default: '0' },
    'backfill-rate': { type: 'string', default: '2' },
    url: {
      type: 'string',
      default: `http://127.0.0.1:${config.GATEWAY_PORT}/v1/events`,
    },
    'api-key': { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

const number = (name: string, raw: string | undefined, min: number) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    console.error(`error: --${name} must be a number ≥ ${min} (got ${raw})`);
    process.exit(2);
  }
  return n;
};
const rate = number('rate', values.rate, 0.1);
const seed = number('seed', values.seed, 0);
const backfillHours = number('backfill-hours', values['backfill-hours'], 0);
const backfillRate = number('backfill-rate', values['backfill-rate'], 0.1);
const dataDir = dataDirOf(config, values['data-dir']);
const keyFile = path.join(dataDir, 'demo-api-key');
const apiKey =
  values['api-key'] ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
if (!apiKey) {
  console.error(`error: no --api-key and no demo key in ${keyFile}; run npm start first`);
  process.exit(2);
}

const simulator = new Simulator({
  url: values.url,
  apiKey,
  rate,
  seed,
  log: (l) => console.log(l),
});
const report = () => {
  const s = simulator.stats;
  console.log(
    `sent ${s.sent} events in ${s.requests} requests: ${s.accepted} accepted, ${s.rejected} rejected, ${s.retried} retried; ${simulator.pending} scheduled`,
  );
};
if (backfillHours > 0) {
  console.log(`backfilling ${backfillHours} h at ${backfillRate} events/s …`);
  await simulator.backfill(backfillHours, backfillRate);
  report();
}
console.log(`simulating ${rate} events/s (seed ${seed}) into ${values.url}; Ctrl-C stops`);
simulator.start();
const interval = setInterval(report, 10_000);
const stop = async () => {
  clearInterval(interval);
  await simulator.stop();
  report();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (values.duration) setTimeout(() => void stop(), number('duration', values.duration, 1) * 1000);
