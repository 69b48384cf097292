import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import type { Context } from './context';
import { errorData, errors, toTRPCError } from './errors';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const { message, data } = errorData(error);
    return { ...shape, message: message ?? shape.message, data: { ...shape.data, ...data, stack: undefined } };
  },
});

/** Every error leaving a procedure goes through the one mapper, so each carries its appCode. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') throw toTRPCError(result.error);
  return result;
});

export const router = t.router;
/** Calls procedures in-process with an inner context (test/caller tests, jobs, CLIs). */
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

/** Requires a valid session and narrows `ctx.user` for the procedures behind it. */
export const studentProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw errors.notLoggedIn();
  return next({ ctx: { ...ctx, user: ctx.user } });
});
