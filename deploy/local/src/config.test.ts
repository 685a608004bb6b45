import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@backbone/runtime';
import { dataDirOf, localConfig } from './config.js';
import { javaCommand } from './stack/prerequisites.js';

describe('the local commands configuration', () => {
  it('has the documented defaults', () => {
    const config = localConfig({});
    expect(config).toMatchObject({
      GATEWAY_PORT: 8080,
      QUERY_PORT: 4000,
      SIMULATOR_RATE: 20,
      SIMULATOR_SEED: 42,
    });
    expect(config.JAVA_HOME).toBeUndefined();
    expect(dataDirOf(config, undefined)).toBe(path.resolve('.backbone/local'));
    expect(dataDirOf(config, '/tmp/elsewhere')).toBe('/tmp/elsewhere');
  });

  it('refuses bad values at once, naming each variable', () => {
    let error: unknown;
    try {
      localConfig({ GATEWAY_PORT: 'eighty', SIMULATOR_RATE: '-1', QUERY_PORT: '70000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.field).sort()).toEqual([
      'GATEWAY_PORT',
      'QUERY_PORT',
      'SIMULATOR_RATE',
    ]);
  });

  it('runs Kafka with the JDK that JAVA_HOME names, else java on PATH', () => {
    expect(javaCommand(localConfig({ JAVA_HOME: '/opt/jdk-17' }).JAVA_HOME)).toBe(
      '/opt/jdk-17/bin/java',
    );
    expect(javaCommand(localConfig({}).JAVA_HOME)).toBe('java');
  });
});
