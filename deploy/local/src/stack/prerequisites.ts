import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StackError } from './errors.js';

const run = promisify(execFile);

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, as the Kafka scripts do; else `java` on PATH. */
export function javaCommand(): string {
  return process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
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
export async function checkJavaAndMaven(): Promise<void> {
  const java = await version(javaCommand(), ['-version']);
  if (java === undefined) {
    throw new StackError(
      `Java was not found (${javaCommand()}): the local stack runs Apache Kafka on the JVM.`,
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
