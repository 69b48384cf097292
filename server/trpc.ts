import { initTRPC } from '@trpc/server';
import type { Context } from './context';
import { errorData, errors, toTRPCError } from './errors';
import { isCrossSiteCookieCall, mediaTypeOf } from './http/crossSite';
import { checkedSuperjson } from './http/superjsonInput';

const t = initTRPC.context<Context>().create({
  // superjson, with each incoming envelope and its `meta` checked before superjson reads it.
  transformer: checkedSuperjson,
  errorFormatter({ shape, error, ctx }) {
    const { message, data } = errorData(error, ctx?.config.trpc);
    return { ...shape, message: message ?? shape.message, data: { ...shape.data, ...data, stack: undefined } };
  },
});

/** Every error leaving a procedure goes through the one mapper, so each carries its appCode. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') throw toTRPCError(result.error);
  return result;
});

/**
 * What a mutation over HTTP must be before anything reads it: JSON (tRPC would also take a form or raw
 * bytes, which no procedure here expects and which a cross-site form can send), and, when the session
 * cookie authenticates it, sent from an allowed frontend (server/http/crossSite.ts says why).
 */
const mutationRequest = t.middleware(({ ctx, type, next }) => {
  const { req } = ctx;
  if (!req || type !== 'mutation') return next();
  const mediaType = mediaTypeOf(req);
  if (mediaType !== 'application/json') throw errors.unsupportedMediaType(mediaType);
  const { frontendOrigins, session } = ctx.config;
  if (isCrossSiteCookieCall(req, { allowedOrigins: frontendOrigins, cookieName: session.cookieName }))
    throw errors.crossSiteRequest();
  return next();
});

export const router = t.router;
/** Calls procedures in-process with an inner context (test/caller tests, jobs, CLIs). */
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors).use(mutationRequest);

/** Requires a valid session and narrows `ctx.user` for the procedures behind it. */
export const studentProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw errors.notLoggedIn();
  return next({ ctx: { ...ctx, user: ctx.user } });
});
