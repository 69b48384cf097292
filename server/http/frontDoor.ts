import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dependenciesOf } from '../context';
import { recordWhenAnswered } from './answeredLog';
import { type AppDeps, createApp } from './app';
import { commonHeaders, requestIdFor, runHandlers } from './commonHeaders';
import { type ListingCall, listingCache, listingCallOf, sendListing } from './listingCache';

const LISTING_PATH = '/api/trpc/exams.available';
const LISTING_LABELS = ['exams.available'];

/**
 * The HTTP entry point: the session listing's cached answers are served here, in front of Express;
 * every other request (and any listing call the cache cannot answer) goes to the Express app.
 *
 * Why in front (issue 13): a cached listing costs little more than writing its bytes, yet through
 * Express it paid ~0.8 ms of CPU per request for the router, pino-http, compression's wrappers and
 * Express's request decoration, four times a bare server's cost. What an answer must carry is kept
 * here, with the same code where it can be: the common headers (commonHeaders.ts, the same list the
 * app uses), the request id, the request log line pino-http would write, and the request metrics.
 */
export function createRequestListener(deps: AppDeps): RequestListener {
  const headers = commonHeaders(deps.config, deps.lifecycle);
  const app = createApp(deps, headers);
  const listing = listingCache(dependenciesOf(deps));

  async function serveListing(req: IncomingMessage, res: ServerResponse, call: ListingCall, started: number) {
    let entry: Awaited<ReturnType<typeof listing>>;
    try {
      entry = await listing(call);
    } catch {
      // A tampered cursor, a database error: tRPC answers those as it always has.
      app(req, res);
      return;
    }
    const id = requestIdFor(req, res);
    await runHandlers(headers, req, res);
    const status = sendListing(req, res, entry);
    recordWhenAnswered(res, {
      labels: LISTING_LABELS,
      status,
      started,
      log: deps.logger,
      fields: { req: { id, method: req.method, url: req.url, remoteAddress: req.socket.remoteAddress } },
    });
  }

  return (req, res) => {
    const started = performance.now();
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const call =
      req.method === 'GET' && path === LISTING_PATH
        ? listingCallOf(new URLSearchParams(query < 0 ? '' : url.slice(query + 1)))
        : undefined;
    if (!call) return app(req, res);
    serveListing(req, res, call, started).catch((err: unknown) => {
      deps.logger.error({ err }, 'http: unhandled error');
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: 'INTERNAL_ERROR' }));
      } else res.destroy();
    });
  };
}
