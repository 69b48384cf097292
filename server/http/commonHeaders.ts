import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import helmet from 'helmet';
import type { Config } from '../config';
import type { Lifecycle } from '../runtime/lifecycle';

/** A connect-style handler: what Express runs, and what the front door (frontDoor.ts) runs without it. */
export type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Accept the caller's (or the ALB's) request id when it is sane, so logs join across hops. */
const REQUEST_ID = /^[\w.:=-]{1,128}$/;

/** The request's id (the caller's, else a new one), also sent back as X-Request-Id. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The headers every answer carries, whichever way it is served: `Connection: close` while draining,
 * helmet's security headers, and CORS for the frontend's origins. One list, so the Express app and
 * the front door cannot drift apart.
 */
export function commonHeaders(config: Config, lifecycle: Lifecycle): Handler[] {
  return [
    // While draining, every answer closes its connection: keep-alive sockets busy at the moment the
    // server stops accepting would otherwise carry new requests until the shutdown timeout.
    (_req, res, next) => {
      if (lifecycle.draining) res.setHeader('Connection', 'close');
      next();
    },
    helmet() as Handler,
    cors({ origin: config.frontendOrigins, credentials: true }) as Handler,
  ];
}

/** Runs handlers in order on a plain Node request; resolves once the last one calls next. */
export function runHandlers(handlers: Handler[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = (err?: unknown) => {
      if (err) return reject(err);
      const handler = handlers[i++];
      if (!handler) return resolve();
      handler(req, res, next);
    };
    next();
  });
}
