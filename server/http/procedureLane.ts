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
import { recordWhenAnswered } from './answeredLog';
import { type Handler, requestIdFor, runHandlers } from './commonHeaders';
import { mediaTypeOf } from './crossSite';
import { laneAdmission } from './laneAdmission';

/**
 * The calls students send by the thousand (issue 13), answered here without tRPC's fetch adapter:
 * the release's booking (POST) and the bookings page's read (GET), which the open loop sends three
 * times for every booking and which cost ~7 ms of CPU each through the adapter.
 */
export const LANE_PROCEDURES = ['bookings.create', 'bookings.mine'] as const;

const TRPC_PREFIX = '/api/trpc/';

type CallType = 'query' | 'mutation';

export interface ProcedureLaneOptions {
  router: AnyRouter;
  createContext: (opts: { req: Request; res: Response }) => Promise<Context>;
  responseMeta: (opts: { errors: TRPCError[]; type: CallType; ctx: Context | undefined }) => ResponseMeta;
  onError: (opts: { error: TRPCError; path: string; ctx: Context | undefined }) => void;
  headers: Handler[];
  /** The app's compression policy (compressionPolicy.ts), applied to query answers as on every other GET. */
  compress: Handler;
  logger: Logger;
  maxBodyBytes: number;
  /** Calls run at once; the rest wait their turn in arrival order (laneAdmission.ts says why). */
  maxActiveCalls: number;
}

/**
 * Reads a body whose length the client declared (the lane takes no other); undefined when the client
 * went away before all of it was read (nobody is left to answer, and no booking is made for them).
 * Always settles: a call waiting for its turn (laneAdmission.ts) must give the turn back.
 */
function readBody(req: Request): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    // Gone while the call waited for its turn: its 'close' came before anyone listened, and a
    // destroyed stream gives no 'data' or 'end' either.
    if (req.destroyed) return resolve(undefined);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    // After 'end' this changes nothing; before it, no 'end' will come.
    req.on('close', () => resolve(undefined));
  });
}

/**
 * The call's raw input as tRPC's JSON handler makes it from the parsed body or `input` parameter:
 * absent, no input; for a plain call, the value itself; for a batch, it must be an object and its "0"
 * is the input (absent: no input).
 */
function rawInputOf(body: unknown, batch: boolean, deserialize: (value: unknown) => unknown): unknown {
  if (body === undefined) return undefined;
  if (!batch) return deserialize(body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
  const input = (body as Record<string, unknown>)['0'];
  return input === undefined ? undefined : deserialize(input);
}

/** Decodes as fetch's `Request.json()` does (UTF-8, a leading BOM dropped), so both paths parse alike. */
const utf8 = new TextDecoder();

/** What the lane takes of a request: the procedure, its type, batch or plain, and where the input is. */
interface LaneCall {
  path: string;
  procedure: AnyProcedure;
  type: CallType;
  batch: boolean;
  /** A query's `input` parameter as sent (GET); a mutation's input is its body. */
  queryInput?: string | null;
}

/**
 * The call a request makes, when the lane takes it: a LANE_PROCEDURES query by GET (no body, no
 * content type; only `input` and `batch=1` in the query string) or mutation by POST (a JSON body of
 * declared length within the limit), plain or as the typed client's batch of one, without tRPC's
 * streaming accept header. Anything else is tRPC's, unread.
 */
function laneCallOf(req: Request, procedures: Map<string, AnyProcedure>, maxBodyBytes: number): LaneCall | undefined {
  if (!req.url.startsWith(TRPC_PREFIX) || req.headers['trpc-accept'] !== undefined) return undefined;
  const rest = req.url.slice(TRPC_PREFIX.length);
  const mark = rest.indexOf('?');
  const path = mark < 0 ? rest : rest.slice(0, mark);
  const procedure = procedures.get(path);
  if (!procedure) return undefined;
  const type = procedure._def.type as CallType;
  const query = mark < 0 ? '' : rest.slice(mark + 1);
  if (type === 'mutation') {
    // A plain call, or the typed client's batch of one; any other query is tRPC's to read.
    if (req.method !== 'POST' || (query !== '' && query !== 'batch=1')) return undefined;
    const length = Number(req.headers['content-length']);
    if (
      mediaTypeOf(req) !== 'application/json' ||
      req.headers['transfer-encoding'] !== undefined ||
      !Number.isInteger(length) ||
      length > maxBodyBytes
    )
      return undefined;
    return { path, procedure, type, batch: query !== '' };
  }
  if (req.method !== 'GET' || req.headers['content-type'] !== undefined || req.headers['content-length'] !== undefined)
    return undefined;
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  if (names.some((n) => n !== 'input' && n !== 'batch') || new Set(names).size !== names.length) return undefined;
  const batch = params.get('batch');
  if (batch !== null && batch !== '1') return undefined;
  return { path, procedure, type, batch: batch === '1', queryInput: params.get('input') };
}

/**
 * One call of a LANE_PROCEDURES procedure (plain, or the typed client's batch of one), answered on
 * Express's request without tRPC's HTTP adapter, which turns every Node request into a fetch `Request`
 * and every answer into a `Response` (undici objects, web streams, abort signals): with Express's
 * router, pino-http and compression's wrappers, ~30 % of a refused booking's CPU in issue 13's profile,
 * and ~40 % of a bookings.mine read's.
 *
 * Only the transport is replaced. The procedure runs exactly as tRPC runs it: the same context
 * factory, the same procedure object with its middlewares (auth, JSON-only and cross-site checks,
 * error mapping) and input parser, fed a raw input read the way tRPC's JSON handler reads it (the body,
 * or a query's `input` parameter); errors go through tRPC's own getTRPCErrorFromUnknown, getErrorShape
 * (our formatter) and status mapping, the same onError and responseMeta. The answer carries the
 * common headers, the request id, tRPC's `vary`, the pino-http log line and the request metrics; a
 * query's answer also passes the app's compression policy. What the lane does not take (laneCallOf)
 * goes on to tRPC untouched. test/procedureLane.test.ts holds the two paths to the same answers.
 */
export function procedureLane(options: ProcedureLaneOptions): RequestHandler {
  const config = options.router._def._config;
  const procedures = new Map<string, AnyProcedure>(
    LANE_PROCEDURES.map((path) => [path, options.router._def.procedures[path] as AnyProcedure]),
  );
  const queryHandlers = [...options.headers, options.compress];
  const admit = laneAdmission(options.maxActiveCalls);

  /** The call's raw input; throws as tRPC's reader does (a tRPC error, else BAD_REQUEST). */
  function readInput(call: LaneCall, body: Buffer | undefined): unknown {
    try {
      const raw = call.type === 'query' ? call.queryInput || undefined : utf8.decode(body);
      return rawInputOf(
        raw === undefined ? undefined : JSON.parse(raw),
        call.batch,
        config.transformer.input.deserialize,
      );
    } catch (cause) {
      if (cause instanceof TRPCError) throw cause;
      const message = cause instanceof Error ? cause.message : 'Invalid input';
      throw new TRPCError({ code: 'BAD_REQUEST', message, cause });
    }
  }

  async function answer(req: Request, res: Response, call: LaneCall, started: number) {
    const { path, procedure, type, batch } = call;
    const id = requestIdFor(req, res);
    const bound = { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress };
    const log = options.logger.child({ req: bound });
    // What pino-http gives Express's requests; the context factory takes the request's logger from it.
    (req as { log?: Logger }).log = log;
    await runHandlers(type === 'query' ? queryHandlers : options.headers, req, res);
    const body = type === 'mutation' ? await readBody(req) : undefined;
    if (type === 'mutation' && !body) return;

    let ctx: Context | undefined;
    let input: unknown;
    let outcome: { ok: true; data: unknown } | { ok: false; error: TRPCError };
    try {
      ctx = await options.createContext({ req, res });
      const data = await procedure({
        path,
        ctx,
        type,
        signal: undefined,
        batchIndex: 0,
        getRawInput: async () => {
          input = readInput(call, body);
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
      : { error: getErrorShape({ config, error: outcome.error, type, path, input, ctx }) };
    const meta = options.responseMeta({ errors: outcome.ok ? [] : [outcome.error], type, ctx });
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

    recordWhenAnswered(res, { labels: [path], status, started, log });
  }

  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const call = laneCallOf(req, procedures, options.maxBodyBytes);
    if (!call) return next();
    // Nothing of the call is read, logged or made before its turn: a waiting call costs its socket only.
    // A booking whose caller left before its turn has no body left to read (readBody), so it is not made.
    admit(() => answer(req, res, call, started)).catch((err: unknown) => next(err));
  };
}
