import path from 'node:path';
import { parseArgs } from 'node:util';
import { StackError } from './stack/errors.js';
import { DEFAULT_DATA_DIR } from './stack/layout.js';
import { describeEndpoints } from './stack/report.js';
import { downStack, stackStatus, upStack } from './stack/stack.js';

/**
 * `npm start`: brings the local backbone up in the foreground and stops it on Ctrl-C.
 * Components that were already running (a stack started with `npm run stack -- up`) are
 * reused and left running; only what this command started is stopped.
 *
 * The services (gateway, workers, query service, dashboard, simulator) join here as they
 * land; today the backbone is its infrastructure.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'no-simulator': { type: 'boolean', default: false },
    },
  });
  const dataDir = path.resolve(
    values['data-dir'] ?? process.env.BACKBONE_DATA_DIR ?? DEFAULT_DATA_DIR,
  );
  const before = await stackStatus(dataDir);
  const alreadyRunning = new Set(
    before.components.filter((c) => c.status === 'running' && c.pid).map((c) => c.pid as number),
  );

  const started = Date.now();
  const state = await upStack({ dataDir, ports: 'default', log: (line) => console.log(line) });
  console.log(`\n${describeEndpoints(state)}`);
  console.log(`\nUp in ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    downStack(dataDir, { keep: alreadyRunning, log: (line) => console.log(line) }).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Keep the event loop alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  if (err instanceof StackError)
    console.error(`error: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
  else console.error(err);
  process.exit(1);
});
