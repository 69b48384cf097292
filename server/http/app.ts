import type { TRPCError } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type ErrorRequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { DatabaseHandle } from '../../db/client';
import { adminExportRoutes } from '../admin/exports/exportRoutes';
import type { Config } from '../config';
import { type Context, createContextFactory, dependenciesOf } from '../context';
import type { Logger } from '../logger';
import { procedureLabels, recordHttpRequest } from '../metrics/http';
import type { KeyValueStore } from '../redis';
import { appRouter } from '../routers';
import type { Lifecycle } from '../runtime/lifecycle';
import { batchLimit } from './batchLimit';
import { calendarRoutes } from './calendarRoute';
import { commonHeaders, type Handler, requestIdFor } from './commonHeaders';
import { compressLargeAnswers } from './compressionPolicy';
import { HEALTH_PATHS, mountHealthRoutes } from './healthRoutes';
import { procedureLane } from './procedureLane';
import { responseHeaders } from './responseMeta';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  kv: KeyValueStore;
  logger: Logger;
  lifecycle: Lifecycle;
}

/** Procedure names the request metrics may use as labels (anything else is "unknown"). */
const knownProcedures: ReadonlySet<string> = new Set(Object.keys(appRouter._def.procedures));

/** `headers`: the common headers' handlers, shared with the front door that serves in front of this app. */
export function createApp(
  { config, database, kv, logger, lifecycle }: AppDeps,
  headers = commonHeaders(config, lifecycle),
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // One set of tRPC options for both ways a procedure is reached (the adapter, the procedure lane).
  const trpc = {
    router: appRouter,
    createContext: createContextFactory(dependenciesOf({ config, database, kv, logger })),
    responseMeta: ({ errors, type, ctx }: { errors: TRPCError[]; type: string; ctx?: Context | undefined }) =>
      responseHeaders({ errors, type, authenticated: ctx?.user !== undefined }),
    onError({ error, path, ctx }: { error: TRPCError; path: string | undefined; ctx?: Context | undefined }) {
      // Unknown errors are logged once, here, with their cause; domain errors are expected answers.
      if (error.code === 'INTERNAL_SERVER_ERROR')
        (ctx?.logger ?? logger).error({ err: error.cause ?? error, path }, 'trpc: internal error');
    },
  };

  const compress = compressLargeAnswers();
  // First: the hottest student calls skip what follows (procedureLane.ts says what it keeps).
  // compression is typed for Express's request; the lane hands it Express's own, so the cast is safe.
  app.use(
    procedureLane({
      ...trpc,
      headers,
      compress: compress as Handler,
      logger,
      maxBodyBytes: config.trpc.maxBodyBytes,
      maxActiveCalls: config.trpc.laneMaxActiveCalls,
    }),
  );

  // First, so the duration covers every middleware and the status is what the client received.
  app.use((req, res, next) => {
    const started = performance.now();
    // Read now: mounted routers (/api/trpc) strip their prefix from req.path while they handle it.
    const procedures = procedureLabels(req.path, knownProcedures);
    res.on('finish', () => recordHttpRequest(procedures, res.statusCode, (performance.now() - started) / 1000));
    next();
  });

  app.use(
    pinoHttp({
      logger,
      genReqId: requestIdFor,
      // The ALB polls health every few seconds; only its failures are worth a log line (logged there).
      autoLogging: { ignore: (req) => HEALTH_PATHS.includes((req.url ?? '').split('?')[0]!) },
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(headers);
  app.use(compress);

  mountHealthRoutes(app, {
    database,
    kv,
    lifecycle,
    logger,
    version: config.version,
    timeoutMs: config.healthTimeoutMs,
  });

  // No JSON body parser in front: tRPC reads the body itself and enforces maxBodySize.
  app.use('/api/trpc', batchLimit(appRouter, config.trpc.maxBatchSize));
  // The session listing's cached answers never reach this app: frontDoor.ts serves them in front of it.
  app.use(
    '/api/trpc',
    createExpressMiddleware({
      ...trpc,
      maxBodySize: config.trpc.maxBodyBytes,
      maxBatchSize: config.trpc.maxBatchSize,
    }),
  );

  // A booking as a calendar file: a plain GET a browser can open, for the logged-in student.
  app.use(
    '/api/bookings',
    calendarRoutes({ config, db: database.db, bookingTransaction: database.bookingTransaction, kv, logger }),
  );

  // Admin CSV downloads: plain GETs a browser can save, behind the admin procedures' bearer token.
  app.use('/api/admin/exports', adminExportRoutes({ config, db: database.db, logger }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND' });
  });
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    req.log.error({ err }, 'http: unhandled error');
    if (!res.headersSent) res.status(500).json({ error: 'INTERNAL_ERROR' });
  };
  app.use(onError);
  return app;
}
