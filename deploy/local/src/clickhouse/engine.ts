import { Session } from 'chdb';
import { exception, fromEngineError } from './errors.js';
import { countResultRows } from './formats.js';
import { settingLiteral, sqlString } from './access.js';
import { HttpSessions, type HttpSessionRequest } from './sessions.js';

/** What one request asks the engine to run, with the state that belongs to it alone. */
export interface EngineStatement {
  sql: string;
  format: string;
  params: Record<string, string>;
  /** Applied to this statement only. */
  settings: Record<string, string>;
  database?: string;
  /** Stream the answer chunk by chunk (SELECTs); otherwise it comes whole. */
  stream: boolean;
  /** The statement itself changes its connection (SET, USE, a temporary table). */
  changesConnection?: boolean;
}

/** The answer of a statement: chunks in order, then figures once they are all read. */
export interface EngineAnswer {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Rows and bytes read, as the engine reports them (non-streamed statements only). */
  readonly stats: { rowsRead: number; bytesRead: number; resultRows: number; elapsed: number };
  /** Stops a streamed answer between chunks (a client went away). */
  cancel(): void;
}

export interface EngineOptions {
  /** Engine arguments of every connection (`--max_server_memory_usage=…`, `--max_memory_usage=…`). */
  connectionArgs?: readonly string[];
  /** Statements that may run at once; more wait, and past maxQueued are refused. */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Clean connections kept for the next request. */
  idleConnections?: number;
}

const IDENTIFIER = /^[A-Za-z0-9_.\-$]+$/;
/** A request with more settings than this gets a fresh connection rather than a reset one. */
const MAX_RESET_SETTINGS = 64;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The statements a request's own state needs before it runs, and the undo for a kept session. */
function prelude(statement: EngineStatement): string[] {
  const steps: string[] = [];
  if (statement.database && statement.database !== 'default') {
    if (!IDENTIFIER.test(statement.database)) {
      throw exception('BAD_ARGUMENTS', `Invalid database name '${statement.database}'`);
    }
    steps.push(`USE \`${statement.database}\``);
  }
  const settings = Object.entries(statement.settings);
  if (settings.length > 0) {
    steps.push(`SET ${settings.map(([n, v]) => `${n} = ${settingLiteral(v)}`).join(', ')}`);
  }
  // Parameters are set as the server stores them: the raw text of param_<name>, which the
  // engine parses per placeholder type (chDB's binding would escape it a second time).
  for (const [name, value] of Object.entries(statement.params)) {
    if (!PARAM_NAME.test(name))
      throw exception('BAD_QUERY_PARAMETER', `Invalid query parameter name '${name}'`);
    steps.push(`SET param_${name} = ${sqlString(value)}`);
  }
  return steps;
}

/**
 * The embedded ClickHouse engine behind the HTTP endpoint. Every request runs on a
 * connection of its own (chDB opens any number on one data directory, each with its own
 * settings, current database and parameters), so requests run side by side and nothing a
 * request sets can reach another. A connection goes back to the pool only once it is as it
 * was opened: the settings the request applied are reset (to the value the connection
 * started with, or to DEFAULT where it had none, so none is left marked as set), its
 * parameters blanked, its database `default` again. One that failed, ran SET or USE or
 * made a temporary table, or whose reset fails, is closed instead. HTTP sessions
 * (`session_id`) keep their connection between requests, as a server keeps a session's
 * context.
 */
export class Engine {
  private readonly idle: Session[] = [];
  /** Settings a new connection starts with explicitly set (its arguments, chDB's own). */
  private readonly startValues = new Map<string, string>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly sessions: HttpSessions;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly idleLimit: number;
  private closed = false;
  version = 'unknown';

  private constructor(
    private readonly path: string,
    private readonly connectionArgs: readonly string[],
    options: EngineOptions,
  ) {
    this.maxConcurrent = options.maxConcurrent ?? 16;
    this.maxQueued = options.maxQueued ?? 1000;
    this.idleLimit = options.idleConnections ?? 4;
    this.sessions = new HttpSessions(() => this.connect());
  }

  static async open(path: string, options: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(path, options.connectionArgs ?? [], options);
    const first = engine.connect();
    engine.version = (await first.queryAsync('SELECT version()', { format: 'TSVRaw' }))
      .text()
      .trim();
    const changed = await first.queryAsync(
      'SELECT name, value FROM system.settings WHERE changed',
      { format: 'JSONCompactEachRow' },
    );
    for (const line of changed.text().split('\n')) {
      if (!line) continue;
      const [name, value] = JSON.parse(line) as [string, string];
      engine.startValues.set(name, value);
    }
    engine.idle.push(first);
    return engine;
  }

  private connect(): Session {
    return new Session(this.path, { connectionArgs: [...this.connectionArgs] });
  }

  private async turn(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.maxQueued) {
      throw exception(
        'TOO_MANY_SIMULTANEOUS_QUERIES',
        `Too many simultaneous queries. Maximum: ${this.maxConcurrent + this.maxQueued}`,
      );
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
  }

  private endTurn(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  /**
   * Runs a statement and hands back its answer. The connection and the turn are held until
   * the answer has been read to the end, failed or been cancelled.
   */
  async execute(statement: EngineStatement, session?: HttpSessionRequest): Promise<EngineAnswer> {
    if (this.closed) throw exception('ABORTED', 'The endpoint is shutting down');
    const steps = prelude(statement);
    await this.turn();
    let held;
    try {
      held = session
        ? await this.sessions.acquire(session, statement)
        : { connection: this.idle.pop() ?? this.connect(), release: undefined };
    } catch (err) {
      this.endTurn(); // a locked or unknown session gives its turn back
      throw err;
    }
    const reusable =
      !session &&
      !statement.changesConnection &&
      Object.keys(statement.settings).length <= MAX_RESET_SETTINGS;
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.endTurn();
      if (held.release) void held.release(ok);
      else if (ok && reusable) void this.giveBack(held.connection, statement);
      else held.connection.close();
    };
    try {
      if (steps.length > 0) await held.connection.queryAsync(steps.join('; '), { format: 'CSV' });
      return statement.stream
        ? await streamed(held.connection, statement, done)
        : await whole(held.connection, statement, done);
    } catch (err) {
      done(false);
      throw fromEngineError(err);
    }
  }

  /** Puts a connection back as it was opened, then into the pool; closes it if it cannot. */
  private async giveBack(connection: Session, statement: EngineStatement): Promise<void> {
    const undo: string[] = [];
    if (statement.database && statement.database !== 'default') undo.push('USE default');
    const settings = Object.keys(statement.settings).map((name) => {
      const start = this.startValues.get(name);
      return start === undefined ? `${name} = DEFAULT` : `${name} = ${settingLiteral(start)}`;
    });
    if (settings.length > 0) undo.push(`SET ${settings.join(', ')}`);
    // The engine cannot forget a parameter; blank it so no value outlives its request.
    for (const name of Object.keys(statement.params)) undo.push(`SET param_${name} = ''`);
    try {
      if (undo.length > 0) await connection.queryAsync(undo.join('; '), { format: 'CSV' });
    } catch {
      connection.close();
      return;
    }
    if (this.closed || this.idle.length >= this.idleLimit) connection.close();
    else this.idle.push(connection);
  }

  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.close();
    this.sessions.closeAll();
  }
}

const STREAM_REFUSED = /Streaming query is not supported/;

/** A SELECT's answer as the engine produces it, block by block, with back-pressure. */
async function streamed(
  connection: Session,
  statement: EngineStatement,
  done: (ok: boolean) => void,
): Promise<EngineAnswer> {
  let stream;
  try {
    stream = connection.queryStream(statement.sql, { format: statement.format });
  } catch (err) {
    // The engine streams SELECTs only; anything else it runs whole.
    if (err instanceof Error && STREAM_REFUSED.test(err.message))
      return whole(connection, statement, done);
    throw err;
  }
  const started = performance.now();
  const stats = { rowsRead: 0, bytesRead: 0, resultRows: 0, elapsed: 0 };
  const source = stream;
  let cancelled = false;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let ok = false;
    try {
      for await (const chunk of source) {
        stats.resultRows += chunk.numRows;
        yield chunk.raw();
      }
      ok = true;
    } catch (err) {
      throw fromEngineError(err);
    } finally {
      stats.elapsed = (performance.now() - started) / 1000;
      if (!ok) source.cancel();
      done(ok && !cancelled);
    }
  }
  return {
    chunks: chunks(),
    stats,
    cancel: () => {
      cancelled = true;
      source.cancel();
    },
  };
}

/** A statement's answer in one piece (DDL, INSERT, SHOW, …). */
async function whole(
  connection: Session,
  statement: EngineStatement,
  done: (ok: boolean) => void,
): Promise<EngineAnswer> {
  let result;
  try {
    result = await connection.queryAsync(statement.sql, { format: statement.format });
  } catch (err) {
    done(false);
    throw err;
  }
  const body = result.bytes();
  done(true);
  const resultRows = countResultRows(statement.format, body) ?? 0;
  return {
    chunks: body.length > 0 ? [body] : [],
    stats: {
      rowsRead: result.rowsRead,
      bytesRead: result.bytesRead,
      resultRows,
      elapsed: result.elapsed,
    },
    cancel: () => {},
  };
}
