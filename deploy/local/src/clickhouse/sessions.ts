import type { Session } from 'chdb';
import { exception } from './errors.js';
import { settingLiteral } from './access.js';

/** The session part of a request: `session_id`, `session_timeout`, `session_check`. */
export interface HttpSessionRequest {
  id: string;
  /** Seconds the session lives after its last request (the server's default is 60). */
  timeoutSeconds: number;
  /** session_check=1: the session must exist already. */
  check: boolean;
}

interface Kept {
  connection: Session;
  busy: boolean;
  /**
   * Set once the session's query has answered while its state is being put back: a next
   * request waits for that instead of being refused (its client has its answer already).
   */
  releasing?: Promise<void> | undefined;
  timer?: NodeJS.Timeout;
  timeoutSeconds: number;
}

/** What the request applied for itself, to be taken back once it is done. */
interface RequestState {
  database?: string;
  settings: Record<string, string>;
  params: Record<string, string>;
}

const MAX_TIMEOUT_SECONDS = 3600;
const SESSION_ID = /^[A-Za-z0-9_\-.:]{1,256}$/;

/**
 * HTTP sessions as a ClickHouse server keeps them: a connection per `session_id` whose SET
 * statements, temporary tables and current database last across requests, one request at
 * a time (a second one meanwhile gets SESSION_IS_LOCKED), closed `session_timeout` seconds
 * after its last request. URL settings, parameters and `database` of one request apply to
 * that request only, as on a server: they are taken back when it ends.
 */
export class HttpSessions {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly connect: () => Session) {}

  async acquire(
    request: HttpSessionRequest,
    state: RequestState,
  ): Promise<{ connection: Session; release: (ok: boolean) => Promise<void> }> {
    if (!SESSION_ID.test(request.id)) {
      throw exception('BAD_ARGUMENTS', `Invalid session_id '${request.id.slice(0, 64)}'`);
    }
    if (request.timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw exception(
        'INVALID_SESSION_TIMEOUT',
        `Session timeout ${request.timeoutSeconds} is larger than ${MAX_TIMEOUT_SECONDS} seconds`,
      );
    }
    let kept = this.kept.get(request.id);
    if (!kept) {
      if (request.check) {
        throw exception('SESSION_NOT_FOUND', `Session ${request.id} not found`);
      }
      kept = { connection: this.connect(), busy: false, timeoutSeconds: request.timeoutSeconds };
      this.kept.set(request.id, kept);
    }
    // The previous query answered; only its undo is running: wait for it (milliseconds), then
    // look again (a session whose undo failed is gone).
    if (kept.busy && kept.releasing) {
      await kept.releasing;
      return this.acquire(request, state);
    }
    if (kept.busy) {
      throw exception(
        'SESSION_IS_LOCKED',
        `Session ${request.id} is locked by a concurrent client`,
      );
    }
    kept.busy = true;
    kept.timeoutSeconds = request.timeoutSeconds;
    if (kept.timer) clearTimeout(kept.timer);
    const session = kept;
    const undo = await this.undoFor(session.connection, state).catch((err: unknown) => {
      session.busy = false;
      throw err;
    });
    return {
      connection: session.connection,
      release: (ok) => {
        const undone = this.putBack(request.id, session, undo, ok);
        session.releasing = undone;
        void undone.finally(() => {
          if (session.releasing === undone) session.releasing = undefined;
        });
        return undone;
      },
    };
  }

  /** Runs a request's undo, then frees the session (or drops it if the undo failed). */
  private async putBack(id: string, session: Kept, undo: string[], ok: boolean): Promise<void> {
    try {
      if (undo.length > 0) await session.connection.queryAsync(undo.join('; '), { format: 'CSV' });
    } catch {
      // A session whose state cannot be taken back is not kept.
      ok = false;
    }
    session.busy = false;
    if (!ok) this.drop(id);
    else this.expireLater(id, session);
  }

  /** Statements that put back what the request is about to change. */
  private async undoFor(connection: Session, state: RequestState): Promise<string[]> {
    const undo: string[] = [];
    if (state.database) {
      const current = (
        await connection.queryAsync('SELECT currentDatabase()', { format: 'TSVRaw' })
      )
        .text()
        .trim();
      undo.push(`USE \`${current.replace(/`/g, '``')}\``);
    }
    const names = Object.keys(state.settings);
    if (names.length > 0) {
      const rows = await connection.queryAsync(
        `SELECT name, value, changed FROM system.settings WHERE name IN (${names
          .map((n) => settingLiteral(n))
          .join(', ')})`,
        { format: 'JSONCompactEachRow' },
      );
      const back: string[] = [];
      for (const line of rows.text().split('\n')) {
        if (!line) continue;
        const [name, value, changed] = JSON.parse(line) as [string, string, number];
        back.push(changed ? `${name} = ${settingLiteral(value)}` : `${name} = DEFAULT`);
      }
      if (back.length > 0) undo.push(`SET ${back.join(', ')}`);
    }
    // The engine cannot forget a parameter; blank it so no value outlives its request.
    for (const name of Object.keys(state.params)) undo.push(`SET param_${name} = ''`);
    return undo;
  }

  private expireLater(id: string, kept: Kept): void {
    kept.timer = setTimeout(() => this.drop(id), kept.timeoutSeconds * 1000);
    kept.timer.unref();
  }

  private drop(id: string): void {
    const kept = this.kept.get(id);
    if (!kept) return;
    if (kept.timer) clearTimeout(kept.timer);
    this.kept.delete(id);
    kept.connection.close();
  }

  closeAll(): void {
    for (const id of [...this.kept.keys()]) this.drop(id);
  }
}
