import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, kafkaAuth } from '@backbone/runtime';
import { ApiKeyStore, createApiKey } from './api-keys.js';
import { KeyDirectory, KeyWriter, TENANTS_TOPIC } from './key-directory.js';

const USAGE = `usage: npm run gateway:keys -- <command> …

  create --tenant TENANT --source SOURCE [--consent-policy anonymize|drop] [--signed] [--file FILE]
      A key in the bootstrap file (FILE, $API_KEYS_FILE, else .backbone/local/api-keys.json):
      only its SHA-256 is stored; the key is printed once. --signed: its requests must carry
      X-Signature (HMAC-SHA256 with a signing secret, printed once too).
  create --topic --tenant TENANT --source SOURCE [--consent-policy anonymize|drop] [--by WHO]
      A key in the tenants topic ($TENANTS_TOPIC, else _tenants, on $KAFKA_BROKERS): every
      running gateway takes it within seconds, no restart.
  list [--tenant TENANT]              the topic's keys (ids, tenants, sources, expiry; no secrets)
  revoke --id KEY_ID [--by WHO]       refused by every gateway within seconds
  rotate --id KEY_ID [--overlap-seconds N] [--by WHO]
      A new key for the same tenant and source; the old one keeps working N seconds more
      (default 86400), then is refused.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    source: { type: 'string' },
    'consent-policy': { type: 'string' },
    file: { type: 'string' },
    signed: { type: 'boolean', default: false },
    topic: { type: 'boolean', default: false },
    id: { type: 'string' },
    by: { type: 'string' },
    'overlap-seconds': { type: 'string', default: '86400' },
  },
});
const command = positionals[0];
const policy = values['consent-policy'];
const overlap = Number(values['overlap-seconds']);
const usage = (): never => {
  console.error(USAGE);
  process.exit(2);
};
if (policy !== undefined && policy !== 'anonymize' && policy !== 'drop') usage();
if (!Number.isInteger(overlap) || overlap < 0) usage();
const by = values.by ?? process.env.USER ?? 'cli';

if (command === 'create' && !values.topic) {
  if (!values.tenant || !values.source) usage();
  const file = path.resolve(
    values.file ?? process.env.API_KEYS_FILE ?? '.backbone/local/api-keys.json',
  );
  const { key, record, signingSecret } = createApiKey(file, {
    tenantId: values.tenant!,
    source: values.source!,
    ...(policy ? { consentPolicy: policy as 'anonymize' | 'drop' } : {}),
    signed: values.signed,
  });
  console.log(
    `created ${record.id} for tenant ${record.tenant_id}, source ${record.source} (stored hashed in ${file})`,
  );
  console.log(`X-API-Key: ${key}`);
  if (signingSecret) console.log(`signing secret: ${signingSecret}`);
  process.exit(0);
}
if (!['create', 'list', 'revoke', 'rotate'].includes(command ?? '')) usage();
if ((command === 'revoke' || command === 'rotate') && !values.id) usage();
if (command === 'create' && (!values.tenant || !values.source)) usage();

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) {
  console.error('KAFKA_BROKERS is not set: the tenants topic is on Kafka');
  process.exit(2);
}
const topic = process.env.TENANTS_TOPIC || TENANTS_TOPIC;
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'gateway-keys-cli',
  brokers,
  logLevel: logLevel.NOTHING,
});
const logger = createLogger({ name: 'gateway-keys', level: 'warn' });
const directory = new KeyDirectory({ kafka, topic, file: new ApiKeyStore([]), logger });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const writer = new KeyWriter(producer, topic);
try {
  if (command === 'create') {
    const { key, record } = await writer.create({
      tenantId: values.tenant!,
      source: values.source!,
      ...(policy ? { consentPolicy: policy as 'anonymize' | 'drop' } : {}),
      by,
    });
    console.log(`created ${record.id} for tenant ${record.tenant_id}, source ${record.source}`);
    console.log(`X-API-Key: ${key}`);
  } else {
    await directory.start();
    await directory.whenReady();
    if (command === 'list') {
      for (const r of directory.list(values.tenant))
        console.log(
          `${r.id}  ${r.tenant_id}  ${r.source}  created ${r.created_at}${r.expires_at ? `  refused from ${r.expires_at}` : ''}`,
        );
    } else {
      const old = directory.recordOf(values.id!);
      if (!old) {
        console.error(`no key ${values.id} in ${topic}`);
        process.exitCode = 1;
      } else if (command === 'revoke') {
        await writer.expire(old, by);
        console.log(`revoked ${old.id}: every gateway refuses it within seconds`);
      } else {
        const { key, record } = await writer.rotate(old, overlap, by);
        console.log(`rotated ${old.id} → ${record.id}; ${old.id} is refused after ${overlap} s`);
        console.log(`X-API-Key: ${key}`);
      }
    }
  }
} finally {
  await directory.stop();
  await producer.disconnect();
}
