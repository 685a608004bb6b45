import { Session } from 'chdb';
import { exception, fromEngineError } from './errors.js';
import { settingLiteral, sqlString } from './access.js';

export interface EngineResult {
  body: Buffer;
  rowsRead: number;
  bytesRead: number;
  elapsedSeconds: number;
}

export interface EngineStatement {
  sql: string;
  format: string;
  params: Record<string, string>;
  /** Applied before the statement and restored after it. */
  settings: Record<string, string>;
  database?: string;
}

const IDENTIFIER = /^[A-Za-z0-9_.\-$]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The embedded ClickHouse engine. chDB keeps one session per process whose settings and
 * current database persist between statements, so statements run one at a time: each
 * applies its settings and database, runs, and restores the defaults read at start-up.
 * That keeps per-request settings from leaking into the next request, at the cost of
 * concurrency (a slow query delays the next one; a real server has no such limit).
 */
export class Engine {
  private readonly session: Session;
  private readonly defaults = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  version = 'unknown';

  private constructor(
    path: string,
    private readonly maxQueued: number,
    private readonly onRestoreError: (err: unknown) => void,
  ) {
    this.session = new Session(path);
  }

  static async open(
    path: string,
    options: { maxQueued?: number; onRestoreError?: (err: unknown) => void } = {},
  ): Promise<Engine> {
    const engine = new Engine(
      path,
      options.maxQueued ?? 1000,
      options.onRestoreError ?? (() => {}),
    );
    engine.version = (await engine.session.queryAsync('SELECT version()', { format: 'TSVRaw' }))
      .text()
      .trim();
    const rows = await engine.session.queryAsync('SELECT name, value FROM system.settings', {
      format: 'JSONCompactEachRow',
    });
    for (const line of rows.text().split('\n')) {
      if (!line) continue;
      const [name, value] = JSON.parse(line) as [string, string];
      engine.defaults.set(name, value);
    }
    return engine;
  }

  /** Runs a statement after every statement queued before it. */
  execute(statement: EngineStatement): Promise<EngineResult> {
    if (this.queued >= this.maxQueued) {
      return Promise.reject(
        exception('UNKNOWN_EXCEPTION', `Too many queued queries (${this.maxQueued}); retry later`),
      );
    }
    this.queued++;
    const run = this.tail.then(() => this.run(statement));
    this.tail = run.catch(() => undefined).finally(() => this.queued--);
    return run;
  }

  private async run(statement: EngineStatement): Promise<EngineResult> {
    const prelude: string[] = [];
    if (statement.database && statement.database !== 'default') {
      if (!IDENTIFIER.test(statement.database)) {
        throw exception('BAD_ARGUMENTS', `Invalid database name '${statement.database}'`);
      }
      prelude.push(`USE \`${statement.database}\``);
    }
    for (const [name, value] of Object.entries(statement.settings)) {
      prelude.push(`SET ${name} = ${settingLiteral(value)}`);
    }
    // Parameters are set as the server stores them: the raw text of param_<name>, which the
    // engine parses per placeholder type (chDB's queryBind would escape it a second time).
    for (const [name, value] of Object.entries(statement.params)) {
      if (!PARAM_NAME.test(name))
        throw exception('BAD_QUERY_PARAMETER', `Invalid query parameter name '${name}'`);
      prelude.push(`SET param_${name} = ${sqlString(value)}`);
    }
    try {
      if (prelude.length > 0) await this.session.queryAsync(prelude.join('; '), { format: 'CSV' });
      const result = await this.session.queryAsync(statement.sql, { format: statement.format });
      return {
        body: Buffer.from(result.bytes()),
        rowsRead: result.rowsRead,
        bytesRead: result.bytesRead,
        elapsedSeconds: result.elapsed,
      };
    } catch (err) {
      await this.discardLeftovers();
      throw fromEngineError(err);
    } finally {
      if (prelude.length > 0) await this.restore(statement).catch(this.onRestoreError);
    }
  }

  /**
   * chDB keeps what a failed statement had already written (a JSON header, CSV names) and
   * puts it in front of the next statement's answer — which may be another user's. A
   * throwaway statement takes it instead.
   */
  private async discardLeftovers(): Promise<void> {
    await this.session.queryAsync('SELECT 1', { format: 'CSV' }).catch(this.onRestoreError);
  }

  private async restore(statement: EngineStatement): Promise<void> {
    const undo: string[] = ['USE default'];
    for (const name of Object.keys(statement.settings)) {
      const value = this.defaults.get(name);
      if (value !== undefined) undo.push(`SET ${name} = ${settingLiteral(value)}`);
    }
    // The engine cannot forget a parameter; blank it so no value outlives its request.
    for (const name of Object.keys(statement.params)) undo.push(`SET param_${name} = ''`);
    await this.session.queryAsync(undo.join('; '), { format: 'CSV' });
  }

  close(): void {
    this.session.close();
  }
}
