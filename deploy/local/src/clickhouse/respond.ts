import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { EngineAnswer } from './engine.js';
import { errorBody, httpStatusFor, type ClickHouseException } from './errors.js';
import { contentTypeFor } from './formats.js';

/**
 * How an answer goes back: streamed chunk by chunk with back-pressure (a slow reader slows
 * the query, never the endpoint's memory), compressed when the request asked for it
 * (enable_http_compression=1 and Accept-Encoding), a client that goes away cancels the
 * query, and an error after the first bytes is written the way ClickHouse 25.11+ does it,
 * framed by the X-ClickHouse-Exception-Tag, so clients tell it from data.
 */

interface Encoder {
  encoding: string;
  create: () => zlib.Gzip | zlib.Deflate | zlib.BrotliCompress;
}

/** The compression the client accepts, when it asked for a compressed answer. */
export function encoderFor(req: IncomingMessage, asked: boolean): Encoder | undefined {
  if (!asked) return undefined;
  const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bgzip\b/.test(accepted)) return { encoding: 'gzip', create: () => zlib.createGzip() };
  if (/\bdeflate\b/.test(accepted))
    return { encoding: 'deflate', create: () => zlib.createDeflate() };
  if (/\bbr\b/.test(accepted)) return { encoding: 'br', create: () => zlib.createBrotliCompress() };
  return undefined;
}

export interface AnswerContext {
  req: IncomingMessage;
  res: ServerResponse;
  queryId: string;
  format: string;
  version: string;
  encoder: Encoder | undefined;
  /** Figures of a statement that is complete before its answer is sent (X-ClickHouse-Summary). */
  summary: (answer: EngineAnswer) => Record<string, string>;
}

const EXCEPTION_MARKER = '__exception__';

function commonHeaders(ctx: { queryId: string }): Record<string, string> {
  return {
    'X-ClickHouse-Query-Id': ctx.queryId,
    'X-ClickHouse-Timezone': 'UTC',
    'X-ClickHouse-Server-Display-Name': 'backbone-local',
  };
}

/** Waits for the writer to take more, or for the client to go away (false). */
function drained(out: Writable, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      out.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    out.once('drain', onDrain);
    res.once('close', onClose);
  });
}

function exceptionBlock(err: ClickHouseException, version: string, tag: string): string {
  const message = errorBody(err, version).trimEnd();
  const length = Buffer.byteLength(message) + 1;
  return `\r\n${EXCEPTION_MARKER}\r\n${tag}\n${message}\n${length} ${tag}\r\n${EXCEPTION_MARKER}\r\n`;
}

/**
 * Sends an answer. The first chunk is read before the headers go out, so an error that
 * comes before any data gets its proper status (it is thrown, for sendError); a later one
 * is framed in the body and returned. A client that goes away cancels the query.
 */
export async function sendAnswer(
  ctx: AnswerContext,
  answer: EngineAnswer,
): Promise<{ failure?: ClickHouseException; cancelled: boolean }> {
  const { res } = ctx;
  const iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in answer.chunks
      ? answer.chunks[Symbol.asyncIterator]()
      : answer.chunks[Symbol.iterator]();
  let current = await iterator.next();
  let closed = false;
  const onClose = () => {
    if (!res.writableFinished) {
      closed = true;
      answer.cancel();
    }
  };
  res.once('close', onClose);
  const tag = randomBytes(8).toString('hex');
  res.writeHead(200, {
    ...commonHeaders(ctx),
    'Content-Type': contentTypeFor(ctx.format),
    'X-ClickHouse-Format': ctx.format,
    'X-ClickHouse-Summary': JSON.stringify(ctx.summary(answer)),
    'X-ClickHouse-Exception-Tag': tag,
    ...(ctx.encoder ? { 'Content-Encoding': ctx.encoder.encoding, Vary: 'Accept-Encoding' } : {}),
  });
  const encoder = ctx.encoder?.create();
  if (encoder) encoder.pipe(res);
  const out: Writable = encoder ?? res;
  const write = async (chunk: Uint8Array) => {
    if (!out.write(chunk) && !(await drained(out, res))) closed = true;
  };
  let failure: ClickHouseException | undefined;
  try {
    while (!current.done && !closed) {
      await write(current.value);
      current = await iterator.next();
    }
  } catch (err) {
    failure = err as ClickHouseException;
    if (!closed) out.write(exceptionBlock(failure, ctx.version, tag));
  } finally {
    res.off('close', onClose);
    if (closed) {
      answer.cancel();
      res.destroy();
      // Lets the answer give its connection back (a generator resumes its `finally`).
      try {
        await iterator.return?.(undefined);
      } catch {
        // it was failing anyway
      }
    } else out.end();
  }
  return { ...(failure ? { failure } : {}), cancelled: closed };
}

/** Sends an error that came before any data: the server's status, code header and body. */
export function sendError(
  ctx: Omit<AnswerContext, 'format' | 'summary'>,
  failure: ClickHouseException,
): void {
  const { res } = ctx;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  let body: Buffer = Buffer.from(errorBody(failure, ctx.version));
  const headers: Record<string, string | number> = {
    ...commonHeaders(ctx),
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(failure.code),
  };
  if (ctx.encoder) {
    const e = ctx.encoder.encoding;
    body =
      e === 'gzip'
        ? zlib.gzipSync(body)
        : e === 'deflate'
          ? zlib.deflateSync(body)
          : zlib.brotliCompressSync(body);
    headers['Content-Encoding'] = e;
  }
  headers['Content-Length'] = body.length;
  res.writeHead(httpStatusFor(failure.type), headers);
  res.end(body);
}
