import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors.js';

const run = promisify(execFile);

/** `<javaHome>/bin/java` when JAVA_HOME is given, as the Kafka scripts do; else `java` on PATH. */
export function javaCommand(javaHome: string | undefined): string {
  return javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
}

async function version(command: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(command, args);
    return `${stderr}${stdout}`;
  } catch {
    return undefined;
  }
}

/** Java 17+ and Maven must be on PATH to run Kafka from its Maven Central jars. */
export async function checkJavaAndMaven(javaPath: string): Promise<void> {
  const java = await version(javaPath, ['-version']);
  if (java === undefined) {
    throw new StackError(
      `Java was not found (${javaPath}): the local stack runs Apache Kafka on the JVM.`,
      'Install JDK 17+ (apt-get install openjdk-17-jdk-headless), or point KAFKA_BROKERS at an existing Kafka (see README "External services").',
    );
  }
  const versionLine = java.split('\n')[0] ?? '';
  const major = Number(/version "(\d+)/.exec(versionLine)?.[1] ?? 0);
  if (major < 17) {
    throw new StackError(`Java 17 or newer is needed for Kafka 4; found: ${versionLine.trim()}`);
  }
  if ((await version('mvn', ['-v'])) === undefined) {
    throw new StackError(
      'Maven was not found: the local stack resolves the Kafka jars from Maven Central with it.',
      'Install Maven (apt-get install maven), or point KAFKA_BROKERS at an existing Kafka (see README "External services").',
    );
  }
}
