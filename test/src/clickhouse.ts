import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { testStack, uniqueName } from './stack.js';

/** A @clickhouse/client for the test stack, as the default user or the read-only user. */
export function testClickHouse(
  options: { reader?: boolean; database?: string } = {},
): ClickHouseClient {
  const stack = testStack();
  return createClient({
    url: stack.clickhouseUrl,
    username: options.reader ? stack.clickhouseReaderUser : stack.clickhouseUser,
    password: options.reader ? stack.clickhouseReaderPassword : stack.clickhousePassword,
    ...(options.database ? { database: options.database } : {}),
  });
}

/** Creates a database only this test uses; drop() removes it. */
export async function createTestDatabase(
  client: ClickHouseClient,
  prefix = 'test',
): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = uniqueName(prefix);
  await client.command({ query: `CREATE DATABASE ${name}` });
  return {
    name,
    drop: () => client.command({ query: `DROP DATABASE IF EXISTS ${name}` }).then(() => undefined),
  };
}
