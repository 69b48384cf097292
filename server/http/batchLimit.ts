import { type AnyRouter, TRPCError } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCodeFromError,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import type { RequestHandler } from 'express';
import { APP_ERRORS, errors } from '../errors';

/**
 * Refuses a batch over the limit before tRPC looks up a procedure (and later formats an answer) for
 * each of its calls, with a message that states the limit. The answer has tRPC's own error shape,
 * built by tRPC's functions with our formatter, so the client reads it like any other.
 */
export function batchLimit(router: AnyRouter, maxBatchSize: number): RequestHandler {
  return (req, res, next) => {
    if (req.query.batch !== '1') return next();
    const calls = req.path.split(',').length;
    if (calls <= maxBatchSize) return next();
    const refusal = errors.batchTooLarge(maxBatchSize);
    const error = new TRPCError({ code: APP_ERRORS[refusal.code].http, message: refusal.message, cause: refusal });
    const config = router._def._config;
    const shape = getErrorShape({ config, error, type: 'unknown', path: undefined, input: undefined, ctx: undefined });
    res.status(getHTTPStatusCodeFromError(error)).json(transformTRPCResponse(config, { error: shape }));
  };
}
