import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** What a service answered, as the contract checks it. */
export interface Answer {
  status: number;
  /** The Content-Type header, if any. */
  contentType: string | null;
  body: string;
}

interface Operation {
  method: string;
  path: string;
  pattern: RegExp;
  /** Literal characters in the template: the more, the more specific. */
  literal: number;
  responses: Json;
}

/**
 * An OpenAPI 3.1 document as a contract for real answers: which operation a request is, whether
 * the status it got is one the document lists, whether the body's media type is listed and the
 * body matches its schema (JSON Schema 2020-12, as OpenAPI 3.1 specifies). It remembers which
 * operations were checked, so a test can prove it exercised every one.
 */
export class OpenApiContract {
  readonly operations: Operation[];
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Map<string, Set<number>>();

  constructor(readonly doc: Json) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ ...doc, $id: 'openapi' });
    const paths = doc.paths as Record<string, Json>;
    this.operations = Object.entries(paths).flatMap(([path, given]) => {
      const item = this.resolve(given);
      return METHODS.filter((m) => item[m]).map((method) => ({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(
          `^${path.replace(/[.+*?^$()[\]\\|]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
        ),
        literal: path.replace(/\{[^}]+\}/g, '').length,
        responses: this.resolve(item[method] as Json).responses as Json,
      }));
    });
  }

  static load(file: string): OpenApiContract {
    return new OpenApiContract(parse(readFileSync(file, 'utf8')) as Json);
  }

  /** `METHOD /path/{template}` of each operation. */
  get names(): string[] {
    return this.operations.map((o) => `${o.method} ${o.path}`);
  }

  /** The operations no answer was checked against yet. */
  unchecked(): string[] {
    return this.names.filter((name) => !this.seen.has(name));
  }

  /** The operation a request is, the most specific template first. */
  operation(method: string, url: string): Operation | undefined {
    const pathname = new URL(url, 'http://x').pathname;
    return this.operations
      .filter((o) => o.method === method.toUpperCase() && o.pattern.test(pathname))
      .sort((a, b) => b.literal - a.literal)[0];
  }

  /** Everything in the answer the document does not allow; empty when it conforms. */
  problems(method: string, url: string, answer: Answer): string[] {
    // CORS preflights are answered for every route by the CORS layer; OpenAPI has no words for them.
    if (method.toUpperCase() === 'OPTIONS') return [];
    const op = this.operation(method, url);
    if (!op) return [`${method} ${url}: no such operation in the document`];
    const name = `${op.method} ${op.path}`;
    const statuses = this.seen.get(name) ?? new Set<number>();
    statuses.add(answer.status);
    this.seen.set(name, statuses);
    const response =
      op.responses[String(answer.status)] ??
      op.responses[`${String(answer.status)[0]}XX`] ??
      op.responses.default;
    if (!response) return [`${name}: status ${answer.status} is not documented`];
    const content = this.resolve(response as Json).content as Record<string, Json> | undefined;
    if (!content) return answer.body === '' ? [] : [`${name} ${answer.status}: documented empty`];
    const type = (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const media = content[type];
    if (!media)
      return [
        `${name} ${answer.status}: ${type || 'no'} content type; documented: ${Object.keys(content).join(', ')}`,
      ];
    if (type === 'application/x-ndjson') {
      const bad = answer.body.split('\n').findIndex((line) => line !== '' && !isJson(line));
      return bad < 0 ? [] : [`${name}: line ${bad + 1} of the NDJSON is not JSON`];
    }
    if (!/[/+]json$/.test(type)) return [];
    if (!isJson(answer.body)) return [`${name} ${answer.status}: the body is not JSON`];
    const validate = this.validator(`${name} ${answer.status} ${type}`, media.schema);
    if (validate(JSON.parse(answer.body))) return [];
    return (validate.errors ?? []).map(
      (e) => `${name} ${answer.status}: body${e.instancePath} ${e.message ?? ''}`,
    );
  }

  /**
   * Fetches `url` and checks the answer; the answer is returned with its body read. Throws
   * with every problem when it does not conform.
   */
  async fetch(
    url: string,
    init: RequestInit = {},
  ): Promise<Answer & { json: () => unknown; headers: Headers }> {
    const res = await fetch(url, init);
    const answer = {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: await res.text(),
    };
    const problems = this.problems(init.method ?? 'GET', url, answer);
    if (problems.length > 0)
      throw new Error(`does not conform to the OpenAPI document:\n${problems.join('\n')}`);
    return { ...answer, headers: res.headers, json: () => JSON.parse(answer.body) as unknown };
  }

  /** The schema of one response, compiled once; its $refs resolve in the document. */
  private validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile({
        $id: `response-${this.validators.size}`,
        ...this.refsInDoc(schema),
      });
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** `#/components/…` refs made absolute so they resolve in the registered document. */
  private refsInDoc(schema: unknown): Json {
    return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/')) as Json;
  }

  /** An object, or the one its `$ref` (to this document) points at. */
  private resolve(given: Json): Json {
    const ref = given.$ref;
    if (typeof ref !== 'string') return given;
    let at: unknown = this.doc;
    for (const part of ref.replace(/^#\//, '').split('/'))
      at = (at as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return this.resolve(at as Json);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fastify's `printRoutes({ commonPrefix: false })` tree as `METHOD /path` (HEAD left out: it
 * follows GET).
 */
export function fastifyRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD'))
      routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}

interface Injected {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}
type InjectOptions = string | { url: string; method?: string };

function assertInjected(contract: OpenApiContract, opts: InjectOptions, res: Injected): void {
  const o = typeof opts === 'string' ? { url: opts } : opts;
  const problems = contract.problems(o.method ?? 'GET', o.url, {
    status: res.statusCode,
    contentType: (res.headers['content-type'] as string | undefined) ?? null,
    body: res.body,
  });
  if (problems.length > 0)
    throw new Error(`does not conform to the OpenAPI document:\n${problems.join('\n')}`);
}

/**
 * Makes every `app.inject(…)` of a Fastify app throw when its answer does not conform to
 * `contract`: a unit suite's requests then check the document as a side effect.
 */
export function conformingInject<A extends object>(app: A, contract: OpenApiContract): A {
  const target = app as unknown as { inject: (opts: InjectOptions) => Promise<Injected> };
  const inject = target.inject.bind(app);
  target.inject = async (opts) => {
    const res = await inject(opts);
    assertInjected(contract, opts, res);
    return res;
  };
  return app;
}

/** light-my-request's `inject(app, opts)`, throwing when an answer does not conform. */
export function conforming<F extends (app: never, opts: never) => Promise<Injected>>(
  inject: F,
  contract: OpenApiContract,
): F {
  const checked = async (app: Parameters<F>[0], opts: Parameters<F>[1]) => {
    const res = await inject(app, opts);
    assertInjected(contract, opts, res);
    return res;
  };
  return checked as unknown as F;
}
