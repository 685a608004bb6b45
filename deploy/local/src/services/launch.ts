/**
 * Runs one of the repository's services in two steps, so `npm start` can load its code while
 * Kafka is still starting: first the packages its main file imports are loaded (module code
 * only: nothing connects, nothing reads the environment), then, once `npm start` writes the
 * service's environment to stdin as JSON and closes it, the main file itself. Closed with
 * nothing written (`npm start` stopped or did not need it), it exits quietly.
 *
 * Usage: node --conditions=source --import tsx launch.ts <service main file>
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const main = pathToFileURL(path.resolve(process.argv[2] ?? ''));
// Packages only: a relative module of the service may read its configuration when loaded.
const packages = [
  ...readFileSync(main, 'utf8').matchAll(/^import\s+(?:[^'";]*?\s+from\s+)?'([^'.][^']*)';/gm),
].map((m) => m[1] as string);
await Promise.all(packages.map((name) => import(name).catch(() => undefined)));

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk as string;
if (!input.trim()) process.exit(0);
Object.assign(process.env, JSON.parse(input) as Record<string, string>);
await import(main.href);
