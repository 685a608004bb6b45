import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Busboy } from '@fastify/busboy';
import { exception } from './errors.js';

/**
 * How a request body reaches the engine. The body is decoded as it arrives
 * (Content-Encoding gzip, deflate or br) and never held whole: SQL text is read up to a
 * limit, and INSERT data (text or binary, any format) flows into a spool file that the
 * engine reads with `INSERT … FROM INFILE`.
 */

export interface BodyLimits {
  /** Largest decoded body (INSERT data included). */
  maxBodyBytes: number;
  /** Largest SQL text (query parameter plus body, when the body is not INSERT data). */
  maxQueryBytes: number;
}

/** A request body as a stream of decoded bytes, counted against the body limit. */
export function decodedBody(req: IncomingMessage, limits: BodyLimits): Readable {
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip();
  else if (encoding === 'deflate') decoder = zlib.createInflate();
  else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
  else if (encoding !== '' && encoding !== 'identity') {
    throw exception(
      'UNKNOWN_COMPRESSION_METHOD',
      `Unknown HTTP compression method '${encoding}': the local endpoint reads gzip, deflate and br`,
    );
  }
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        callback(
          exception(
            'QUERY_IS_TOO_LARGE',
            `Request body exceeds the limit of ${limits.maxBodyBytes} bytes`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
  if (decoder) {
    req.pipe(decoder).pipe(limit);
    decoder.on('error', (err) =>
      limit.destroy(
        exception('CANNOT_DECOMPRESS', `Cannot decompress the request body: ${err.message}`),
      ),
    );
  } else {
    req.pipe(limit);
  }
  req.on('error', (err) => limit.destroy(err));
  return limit;
}

/** Reads a stream's bytes until `max` (or its end); the rest stays in the stream. */
export class Head {
  private chunks: Buffer[] = [];
  private length = 0;
  ended = false;
  private iterator: AsyncIterator<Buffer>;

  constructor(
    private readonly source: Readable,
    prefix?: Buffer,
  ) {
    this.iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    if (prefix && prefix.length > 0) this.push(prefix);
  }

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Reads on until at least `max` bytes are held or the body ends. */
  async fill(max: number): Promise<void> {
    while (!this.ended && this.length < max) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else this.push(next.value);
    }
  }

  /** Everything left in the body, after the bytes held. */
  async *rest(): AsyncGenerator<Buffer> {
    while (!this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else yield next.value;
    }
  }

  discard(): void {
    this.source.resume();
  }
}

/** Writes INSERT data to a spool file: the bytes from `from` in the head, then the body. */
export async function spool(head: Head, from: number, file: string): Promise<number> {
  let written = 0;
  const first = head.bytes.subarray(from);
  async function* all() {
    if (first.length > 0) {
      written += first.length;
      yield first;
    }
    for await (const chunk of head.rest()) {
      written += chunk.length;
      yield chunk;
    }
  }
  await pipeline(all(), createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  return written;
}

/** Fields of a multipart/form-data body: the query and `param_<name>` values. */
export async function formFields(
  req: IncomingMessage,
  body: Readable,
  limits: BodyLimits,
): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  const form = Busboy({
    headers: req.headers as { 'content-type': string },
    limits: { fieldSize: limits.maxQueryBytes, files: 0, fields: 10_000 },
  });
  let failure: Error | undefined;
  form.on('field', (name, value, _nameTruncated, valueTruncated) => {
    if (valueTruncated) {
      failure ??= exception(
        'QUERY_IS_TOO_LARGE',
        `Form field ${name} exceeds the limit of ${limits.maxQueryBytes} bytes`,
      );
    }
    fields.set(name, value);
  });
  form.on('filesLimit', () => {
    failure ??= exception(
      'NOT_IMPLEMENTED',
      'External tables (file parts of a multipart body) are not supported by the local endpoint',
    );
  });
  try {
    await pipeline(body, form);
  } catch (err) {
    throw exception(
      'BAD_ARGUMENTS',
      `Cannot read the multipart/form-data body: ${(err as Error).message}`,
    );
  }
  if (failure) throw failure;
  return fields;
}

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(String(req.headers['content-type'] ?? ''));
}
