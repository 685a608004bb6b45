/**
 * npm run bench:idle [-- --seconds 60 --settle 30]
 *
 * What the local backbone costs when nobody looks: `npm start` as a user runs it, in a fresh
 * data directory, left until the 24 h of history is in and the workers have caught up (and
 * --settle seconds more for the merges that follow); then the CPU time of every process over
 * two samples of the same length — the demo's live traffic (SIMULATOR_RATE, 20 events/s)
 * and no dashboard open, then the same with the overview open in Chromium. Prints % of one
 * core per process and CPU ms per event; no pass/fail. Needs the default ports free.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { waitFor } from '@backbone/runtime';
import {
  commandOf,
  consumerLag,
  cpuSeconds,
  descendants,
  refuseTakenPorts,
  secs,
  startNpm,
} from './npm-start.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    settle: { type: 'string', default: '30' },
  },
});
const SECONDS = Number(values.seconds);
const SETTLE = Number(values.settle);

/** Which part of the backbone a process is, from what it runs; undefined for wrappers. */
const PARTS: [RegExp, string][] = [
  [/clickhouse\/main\.ts/, 'ClickHouse endpoint'],
  [/^java .*kafka/, 'Kafka broker'],
  [/registry\/main\.ts/, 'schema registry'],
  [/enrich\.main\.ts/, 'enrich'],
  [/sink\.main\.ts/, 'sink'],
  [/query-service\/src\/main\.ts/, 'query service'],
  [/ingest-gateway\/src\/main\.ts/, 'gateway'],
  [/--import file:.*start\.ts/, 'npm start (simulator, supervisor)'],
];

function parts(root: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const pid of descendants(root)) {
    const command = commandOf(pid);
    const part = PARTS.find(([re]) => re.test(command))?.[1];
    if (part && !found.has(part)) found.set(part, pid);
  }
  return found;
}

/** CPU seconds per part over `seconds`, and the events the gateway accepted meanwhile. */
async function sample(procs: Map<string, number>, gatewayMetrics: string) {
  const accepted = async () => {
    const text = await (await fetch(gatewayMetrics)).text();
    return [...text.matchAll(/^gateway_events_total\{[^}]*outcome="accepted"[^}]*\} (\S+)$/gm)]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  };
  const before = new Map([...procs].map(([part, pid]) => [part, cpuSeconds(pid) ?? NaN]));
  const acceptedBefore = await accepted();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const used = new Map(
    [...procs].map(([part, pid]) => [part, (cpuSeconds(pid) ?? NaN) - before.get(part)!]),
  );
  return { used, events: (await accepted()) - acceptedBefore };
}

function report(title: string, s: Awaited<ReturnType<typeof sample>>) {
  const pct = (cpu: number) => `${((100 * cpu) / SECONDS).toFixed(1).padStart(5)} %`;
  console.log(`\n${title}: ${s.events} events in ${SECONDS} s`);
  let stack = 0;
  for (const [part, cpu] of s.used) {
    console.log(`  ${part.padEnd(36)} ${pct(cpu)} of a core`);
    if (!part.startsWith('npm start')) stack += cpu;
  }
  console.log(
    `  ${'the stack, outside the simulator'.padEnd(36)} ${pct(stack)} of a core, ` +
      `${((1000 * stack) / Math.max(1, s.events)).toFixed(1)} ms of CPU per event`,
  );
}

await refuseTakenPorts();
const npm = startNpm('bench-idle');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  const up = await npm.line(/^Up in /, 180_000);
  const { dashboardUrl, metricsUrls } = await npm.welcome();
  const gatewayLine = (await npm.line(/^\s+Ingest gateway\s+http/, 1000)).text;
  const gatewayMetrics = `${/(http:\/\/[^/\s]+)/.exec(gatewayLine)![1]}/metrics`;
  await npm.line(/24 h of history sent/, 900_000);
  await waitFor(async () => (await consumerLag(metricsUrls)) < 50, {
    timeoutMs: 600_000,
    intervalMs: 1000,
    description: 'the workers to catch up with the history',
  });
  const settled = Date.now();
  await new Promise((r) => setTimeout(r, SETTLE * 1000));
  const procs = parts(npm.pid);
  console.log(`up in ${secs(up.at - npm.t0)}, caught up at ${secs(settled - npm.t0)}`);

  report('no dashboard open', await sample(procs, gatewayMetrics));

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(dashboardUrl);
  await page.getByTestId('kpi-page-views').waitFor({ timeout: 30_000 });
  report(
    'the overview open in Chromium (its own CPU not counted)',
    await sample(procs, gatewayMetrics),
  );
} finally {
  await browser.close();
  await npm.cleanUp();
}
