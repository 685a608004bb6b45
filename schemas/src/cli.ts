import { parseArgs } from 'node:util';
import { checkSchemas, registerSchemas, type SubjectOutcome } from './registry-admin.js';

const USAGE = `usage: npm run schemas -- <register|check> [--registry URL]

  register  register every stream's schema (BACKWARD compatibility per subject)
  check     compare the local schemas with the registry; exit 1 if any is incompatible

The registry URL defaults to $SCHEMA_REGISTRY_URL, then http://127.0.0.1:8081.`;

function print(outcomes: SubjectOutcome[]): void {
  for (const o of outcomes) {
    const id = o.id === undefined ? '' : ` id ${o.id}`;
    console.log(`${o.subject.padEnd(28)} ${o.state}${id}`);
    for (const m of o.messages) console.log(`    ${m}`);
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { registry: { type: 'string' } },
  });
  const url = values.registry ?? process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
  const command = positionals[0];
  if (command === 'register') {
    const outcomes = await registerSchemas(url);
    print(outcomes);
    return outcomes.some((o) => o.state === 'incompatible') ? 1 : 0;
  }
  if (command === 'check') {
    const outcomes = await checkSchemas(url);
    print(outcomes);
    return outcomes.some((o) => o.state === 'incompatible') ? 1 : 0;
  }
  console.error(USAGE);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
