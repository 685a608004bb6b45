/**
 * npm run chaos [-- --rate 10000 --minutes 5 --seed 7 --faults all --outage-seconds 60
 *                  --stall-seconds 5 --sdk-rate 1000 --sdk-max-queue 2000 --keep --json]
 * The backbone on a private stack under simulated traffic while faults are injected, then
 * every accepted event counted in ClickHouse (docs/operations.md § Chaos run). Exits 1 on
 * any loss, copy, rollup difference or fault without recovery.
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { runChaos } from './run.js';
import { parseFaults } from './schedule.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    faults: { type: 'string', default: 'all' },
    'outage-seconds': { type: 'string', default: '60' },
    'stall-seconds': { type: 'string', default: '5' },
    'sdk-rate': { type: 'string' },
    'sdk-max-queue': { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const number = (name: keyof typeof values, min: number): number => {
  const x = Number(values[name]);
  if (!Number.isFinite(x) || x < min) {
    console.error(`--${name}: a number of at least ${min}, not ${String(values[name])}`);
    process.exit(2);
  }
  return x;
};

let faults;
try {
  faults = parseFaults(String(values.faults));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const report = await runChaos({
  rate: number('rate', 1),
  durationMs: number('minutes', 0.5) * 60_000,
  seed: number('seed', 0),
  faults,
  outageMs: number('outage-seconds', 1) * 1000,
  stallMs: number('stall-seconds', 1) * 1000,
  ...(values['sdk-rate'] === undefined ? {} : { sdkRate: number('sdk-rate', 1) }),
  sdkMaxQueue: number('sdk-max-queue', 1),
  keep: values.keep,
  log: (line) => console.log(line),
});
for (const line of formatReport(report)) console.log(line);
if (values.json) console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);
