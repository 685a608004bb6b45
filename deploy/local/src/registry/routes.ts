import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { isCompatibilityLevel, type CompatibilityLevel } from './compatibility.js';
import { invalidCompatibility, invalidSchema, RegistryError } from './errors.js';
import type { RegistryRecord, RegistryStore } from './store.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegistryDeps {
  store: RegistryStore;
  /** Persists records durably; the store applies them only after this resolves. */
  persist: (records: RegistryRecord[]) => Promise<void>;
  logger: Logger;
}

interface SchemaBody {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
}

function schemaText(body: unknown): string {
  const b = (body ?? {}) as SchemaBody;
  if (typeof b.schema !== 'string' || b.schema.length === 0) {
    throw invalidSchema('Invalid schema: the body needs a "schema" string');
  }
  if (b.schemaType !== undefined && b.schemaType !== null && b.schemaType !== 'AVRO') {
    throw invalidSchema(
      `Invalid schema: schemaType ${JSON.stringify(b.schemaType)} is not supported here, only AVRO`,
    );
  }
  if (Array.isArray(b.references) && b.references.length > 0) {
    throw invalidSchema(
      'Invalid schema: schema references are not supported by the local registry',
    );
  }
  return b.schema;
}

function compatibilityOf(body: unknown): CompatibilityLevel {
  const level = (body as { compatibility?: unknown } | null)?.compatibility;
  if (!isCompatibilityLevel(level)) throw invalidCompatibility(level);
  return level;
}

const flag = (value: unknown) => value === 'true' || value === true;

type P = { Params: Record<string, string>; Querystring: Record<string, string> };
type Write = <T>(change: () => { records: RegistryRecord[] } & T) => Promise<T>;

/** The Confluent Schema Registry REST API over a RegistryStore. */
export function registerRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  const { store } = deps;
  // Writes are serialised so that ids and versions are assigned from an up-to-date store.
  let writes: Promise<unknown> = Promise.resolve();
  const write: Write = (change) => {
    const run = writes.then(async () => {
      const result = change();
      await deps.persist(result.records);
      for (const record of result.records) store.apply(record);
      return result;
    });
    writes = run.catch(() => undefined);
    return run;
  };
  protocol(app, moduleLogger(deps.logger, 'registry-http'));
  schemaReads(app, store);
  subjectWrites(app, store, write);
  configRoutes(app, store, write);
  compatibilityRoutes(app, store);
}

/** The registry's wire conventions: its content types, and errors as `{error_code, message}`. */
function protocol(app: FastifyInstance, log: Logger): void {
  for (const type of [
    CONTENT_TYPE,
    'application/vnd.schemaregistry+json',
    'application/octet-stream',
  ]) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, body === '' ? {} : JSON.parse(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  }

  app.addHook('onSend', async (_req, reply: FastifyReply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) {
      void reply.header('content-type', CONTENT_TYPE);
    }
    return payload;
  });

  app.setErrorHandler((err: FastifyError | RegistryError, _req, reply) => {
    if (err instanceof RegistryError) {
      return reply.status(err.status).send({ error_code: err.errorCode, message: err.message });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) log.error({ err }, 'registry request failed');
    return reply
      .status(status)
      .send({ error_code: status === 400 ? 400 : 50001, message: err.message });
  });
}

/** Schemas by id, subjects and their versions. */
function schemaReads(app: FastifyInstance, store: RegistryStore): void {
  app.get('/', () => ({}));
  app.get('/schemas/types', () => ['AVRO']);
  app.get('/mode', () => ({ mode: 'READWRITE' }));

  app.get<P>('/schemas/ids/:id', (req) => ({ schema: store.schemaById(Number(req.params.id)) }));
  app.get<P>('/schemas/ids/:id/schema', (req) => store.schemaById(Number(req.params.id)));
  app.get<P>('/schemas/ids/:id/subjects', (req) => [
    ...new Set(store.usagesOf(Number(req.params.id)).map((u) => u.subject)),
  ]);
  app.get<P>('/schemas/ids/:id/versions', (req) => store.usagesOf(Number(req.params.id)));

  app.get<P>('/subjects', (req) => store.listSubjects(flag(req.query.deleted)));
  app.get<P>('/subjects/:subject/versions', (req) =>
    store.listVersions(req.params.subject as string, flag(req.query.deleted)),
  );
  app.get<P>('/subjects/:subject/versions/:version', (req) =>
    store.getVersion(
      req.params.subject as string,
      req.params.version as string,
      flag(req.query.deleted),
    ),
  );
  app.get<P>(
    '/subjects/:subject/versions/:version/schema',
    (req) => store.getVersion(req.params.subject as string, req.params.version as string).schema,
  );
}

/** Registering, looking up and deleting versions of a subject. */
function subjectWrites(app: FastifyInstance, store: RegistryStore, write: Write): void {
  app.post<P>('/subjects/:subject/versions', async (req) => {
    const text = schemaText(req.body);
    const { id } = await write(() => store.register(req.params.subject as string, text));
    return { id };
  });
  app.post<P>('/subjects/:subject', (req) =>
    store.lookup(req.params.subject as string, schemaText(req.body)),
  );

  app.delete<P>('/subjects/:subject', async (req) => {
    const { versions } = await write(() =>
      store.deleteSubject(req.params.subject as string, flag(req.query.permanent)),
    );
    return versions;
  });
  app.delete<P>('/subjects/:subject/versions/:version', async (req) => {
    const { version } = await write(() =>
      store.deleteVersion(
        req.params.subject as string,
        req.params.version as string,
        flag(req.query.permanent),
      ),
    );
    return version;
  });
}

/** Compatibility levels, global and per subject. */
function configRoutes(app: FastifyInstance, store: RegistryStore, write: Write): void {
  app.get('/config', () => ({ compatibilityLevel: store.globalCompatibility() }));
  app.put('/config', async (req) => {
    const level = compatibilityOf(req.body);
    await write(() => ({ records: [store.configRecord(null, level)] }));
    return { compatibility: level };
  });
  app.get<P>('/config/:subject', (req) => ({
    compatibilityLevel: store.subjectCompatibility(
      req.params.subject as string,
      flag(req.query.defaultToGlobal),
    ),
  }));
  app.put<P>('/config/:subject', async (req) => {
    const level = compatibilityOf(req.body);
    await write(() => ({ records: [store.configRecord(req.params.subject as string, level)] }));
    return { compatibility: level };
  });
  app.delete<P>('/config/:subject', async (req) => {
    const subject = req.params.subject as string;
    const previous = store.subjectCompatibility(subject, false);
    await write(() => ({ records: [store.configRecord(subject, null)] }));
    return { compatibilityLevel: previous };
  });
}

/** Whether a schema could be registered under a subject, checked without registering it. */
function compatibilityRoutes(app: FastifyInstance, store: RegistryStore): void {
  const compatibility = (
    req: { params: Record<string, string>; query: Record<string, string>; body: unknown },
    version?: string,
  ) => {
    const result = store.checkAgainst(req.params.subject as string, schemaText(req.body), version);
    return flag(req.query.verbose)
      ? { is_compatible: result.compatible, messages: result.messages }
      : { is_compatible: result.compatible };
  };
  app.post<P>('/compatibility/subjects/:subject/versions/:version', (req) =>
    compatibility(req, req.params.version),
  );
  app.post<P>('/compatibility/subjects/:subject/versions', (req) => compatibility(req));
}
