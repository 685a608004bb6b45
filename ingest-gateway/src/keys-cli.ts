import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from './api-keys.js';

const USAGE = `usage: npm run gateway:keys -- create --tenant TENANT --source SOURCE [--consent-policy anonymize|drop] [--signed] [--file FILE]

Creates an API key bound to a tenant and a sending source, stores only its SHA-256 in FILE
($API_KEYS_FILE, else .backbone/local/api-keys.json) and prints the key once. --signed: its
requests must carry X-Signature (HMAC-SHA256 with a signing secret, printed once too).`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    source: { type: 'string' },
    'consent-policy': { type: 'string' },
    file: { type: 'string' },
    signed: { type: 'boolean', default: false },
  },
});
const policy = values['consent-policy'];
if (
  positionals[0] !== 'create' ||
  !values.tenant ||
  !values.source ||
  (policy !== undefined && policy !== 'anonymize' && policy !== 'drop')
) {
  console.error(USAGE);
  process.exit(2);
}
const file = path.resolve(
  values.file ?? process.env.API_KEYS_FILE ?? '.backbone/local/api-keys.json',
);
const { key, record, signingSecret } = createApiKey(file, {
  tenantId: values.tenant,
  source: values.source,
  ...(policy ? { consentPolicy: policy } : {}),
  signed: values.signed,
});
console.log(
  `created ${record.id} for tenant ${record.tenant_id}, source ${record.source} (stored hashed in ${file})`,
);
console.log(`X-API-Key: ${key}`);
if (signingSecret) console.log(`signing secret: ${signingSecret}`);
