/**
 * Generates src/generated/{schemas,types}.ts from avro/*.avsc, failing on any field without
 * a privacy class or any text field without a value contract. `--check` only compares, and exits 1 when the files are out of date.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, SchemaBuildError } from '../src/codegen.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const avroDir = path.join(root, 'avro');
const outDir = path.join(root, 'src', 'generated');

const files = readdirSync(avroDir)
  .filter((f) => f.endsWith('.avsc'))
  .sort()
  .map((file) => ({
    file,
    json: JSON.parse(readFileSync(path.join(avroDir, file), 'utf8')) as Record<string, unknown>,
  }));

try {
  const { schemasTs, typesTs } = generate(files);
  const outputs = { 'schemas.ts': schemasTs, 'types.ts': typesTs };
  if (process.argv.includes('--check')) {
    const stale = Object.entries(outputs).filter(([name, text]) => {
      try {
        return readFileSync(path.join(outDir, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      console.error(
        `out of date: ${stale.map(([n]) => `src/generated/${n}`).join(', ')}; run npm run generate -w @backbone/schemas`,
      );
      process.exit(1);
    }
  } else {
    mkdirSync(outDir, { recursive: true });
    for (const [name, text] of Object.entries(outputs))
      writeFileSync(path.join(outDir, name), text);
    console.log(`generated src/generated/{schemas,types}.ts from ${files.length} schema files`);
  }
} catch (err) {
  if (err instanceof SchemaBuildError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
