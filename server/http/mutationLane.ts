import { type AnyProcedure, type AnyRouter, TRPCError } from '@trpc/server';
import type { ResponseMeta } from '@trpc/server/http';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Context } from '../context';
import type { Logger } from '../logger';
import { recordHttpRequest } from '../metrics/http';
import { type Handler, requestIdFor, runHandlers } from './commonHeaders';
import { mediaTypeOf } from './crossSite';

/** The mutations a release sends by the thousand (issue 13): answered here, without tRPC's fetch adapter. */
export const LANE_PROCEDURES = ['bookings.create'] as const;

const TRPC_PREFIX = '/api/trpc/';

export interface MutationLaneOptions {
  router: AnyRouter;
  createContext: (opts: { req: Request; res: Response }) => Promise<Context>;
  responseMeta: (opts: { errors: TRPCError[]; type: 'mutation'; ctx: Context | undefined }) => ResponseMeta;
  onError: (opts: { error: TRPCError; path: string; ctx: Context | undefined }) => void;
  headers: Handler[];
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * Reads a body whose length the client declared (the lane takes no other); undefined when the client
 * went away before sending all of it (nobody is left to answer).
 */
function readBody(req: Request): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

/**
 * The call's raw input as tRPC's JSON handler makes it: the body itself for a plain call; for a batch,
 * the body must be an object and its "0" is the input (absent: no input).
 */
function rawInputOf(body: unknown, batch: boolean, deserialize: (value: unknown) => unknown): unknown {
  if (!batch) return deserialize(body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
  const input = (body as Record<string, unknown>)['0'];
  return input === undefined ? undefined : deserialize(input);
}

/** Decodes as fetch's `Request.json()` does (UTF-8, a leading BOM dropped), so both paths parse alike. */
const utf8 = new TextDecoder();

/**
 * One call of a LANE_PROCEDURES mutation (plain, or the typed client's batch of one), answered on
 * Express's request without tRPC's HTTP adapter, which turns every Node request into a fetch `Request`
 * and every answer into a `Response` (undici objects, web streams, abort signals): with Express's
 * router, pino-http and compression's wrappers, ~30 % of a refused booking's CPU in issue 13's profile.
 *
 * Only the transport is replaced. The procedure runs exactly as tRPC runs it: the same context
 * factory, the same procedure object with its middlewares (auth, JSON-only and cross-site checks,
 * error mapping) and input parser, fed a raw input read the way tRPC's JSON handler reads it; errors
 * go through tRPC's own getTRPCErrorFromUnknown, getErrorShape (our formatter) and status mapping,
 * the same onError and responseMeta. The answer carries the common headers, the request id, tRPC's
 * `vary`, the pino-http log line and the request metrics. What the lane does not take (a batch of
 * several, a streaming accept header, a body without a declared length or over the limit, another
 * content type) goes on to tRPC untouched: its body has not been read. test/mutationLane.test.ts holds
 * the two paths to the same answers.
 */
export function mutationLane(options: MutationLaneOptions): RequestHandler {
  const config = options.router._def._config;
  const procedures = new Map<string, AnyProcedure>(
    LANE_PROCEDURES.map((path) => [path, options.router._def.procedures[path] as AnyProcedure]),
  );

  async function answer(
    req: Request,
    res: Response,
    call: { path: string; procedure: AnyProcedure; batch: boolean },
    started: number,
  ) {
    const { path, procedure, batch } = call;
    const id = requestIdFor(req, res);
    const bound = { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress };
    const log = options.logger.child({ req: bound });
    // What pino-http gives Express's requests; the context factory takes the request's logger from it.
    (req as { log?: Logger }).log = log;
    await runHandlers(options.headers, req, res);
    const body = await readBody(req);
    if (!body) return;

    let ctx: Context | undefined;
    let input: unknown;
    let outcome: { ok: true; data: unknown } | { ok: false; error: TRPCError };
    try {
      ctx = await options.createContext({ req, res });
      const data = await procedure({
        path,
        ctx,
        type: 'mutation',
        signal: undefined,
        batchIndex: 0,
        getRawInput: async () => {
          try {
            input = rawInputOf(JSON.parse(utf8.decode(body)), batch, config.transformer.input.deserialize);
          } catch (cause) {
            // As tRPC's own reader: what is not already a tRPC error is the caller's bad input.
            if (cause instanceof TRPCError) throw cause;
            const message = cause instanceof Error ? cause.message : 'Invalid input';
            throw new TRPCError({ code: 'BAD_REQUEST', message, cause });
          }
          return input;
        },
      });
      outcome = { ok: true, data };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, path, ctx });
      outcome = { ok: false, error };
    }

    const untransformed = outcome.ok
      ? { result: { data: outcome.data } }
      : { error: getErrorShape({ config, error: outcome.error, type: 'mutation', path, input, ctx }) };
    const meta = options.responseMeta({ errors: outcome.ok ? [] : [outcome.error], type: 'mutation', ctx });
    const status = meta.status ?? getHTTPStatusCode([untransformed as never]);
    const answered = batch ? [untransformed] : untransformed;
    const json = Buffer.from(JSON.stringify(transformTRPCResponse(config, answered as never)));
    res.statusCode = status;
    res.setHeader('vary', 'trpc-accept, accept');
    res.setHeader('content-type', 'application/json');
    const extra = meta.headers instanceof Headers ? Object.fromEntries(meta.headers) : (meta.headers ?? {});
    for (const [name, value] of Object.entries(extra)) if (value !== undefined) res.setHeader(name, value);
    res.setHeader('content-length', json.length);
    res.end(json);

    res.once('finish', () => {
      const elapsedMs = performance.now() - started;
      recordHttpRequest([path], status, elapsedMs / 1000);
      const line = { res: { statusCode: status }, responseTime: Math.round(elapsedMs) };
      if (status >= 500) log.error({ ...line, err: new Error(`failed with status code ${status}`) }, 'request errored');
      else if (status >= 400) log.warn(line, 'request completed');
      else log.info(line, 'request completed');
    });
  }

  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    if (req.method !== 'POST' || !req.url.startsWith(TRPC_PREFIX)) return next();
    // A plain call, or the typed client's batch of one (`?batch=1`); any other query is tRPC's to read.
    const rest = req.url.slice(TRPC_PREFIX.length);
    const mark = rest.indexOf('?');
    const path = mark < 0 ? rest : rest.slice(0, mark);
    const query = mark < 0 ? undefined : rest.slice(mark + 1);
    if (query !== undefined && query !== 'batch=1') return next();
    const procedure = procedures.get(path);
    if (!procedure) return next();
    const length = Number(req.headers['content-length']);
    if (
      mediaTypeOf(req) !== 'application/json' ||
      req.headers['trpc-accept'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined ||
      !Number.isInteger(length) ||
      length > options.maxBodyBytes
    )
      return next();
    answer(req, res, { path, procedure, batch: query !== undefined }, started).catch((err: unknown) => next(err));
  };
}
