import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { Context } from './context';
import { appCodeOf, DomainError, toTRPCError } from './errors';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        appCode: appCodeOf(error),
        // What a form or a retry needs (which field, which prerequisite, when to retry); never internals.
        fieldErrors: error.cause instanceof ZodError ? error.cause.flatten().fieldErrors : undefined,
        details: error.cause instanceof DomainError ? error.cause.details : undefined,
        stack: undefined,
      },
    };
  },
});

/** Every error leaving a procedure goes through the one mapper, so each carries its appCode. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') throw toTRPCError(result.error);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

/** Requires a valid session and narrows `ctx.user` for the procedures behind it. */
export const studentProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new DomainError('UNAUTHENTICATED', 'Please log in with your student ID and email.');
  return next({ ctx: { ...ctx, user: ctx.user } });
});
