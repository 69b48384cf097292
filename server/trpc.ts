import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { Context } from './context';
import { appCodeOf, DomainError, toTRPCError } from './errors';

/**
 * Which input fields were wrong and why, keyed by field path. Unknown keys are reported under their
 * own name (zod files them at the parent's path, where a form could not show them).
 */
function fieldErrorsOf(err: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const add = (path: PropertyKey[], message: string) => {
    const field = path.map(String).join('.') || '(input)';
    fields[field] = [...(fields[field] ?? []), message];
  };
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) add([...issue.path, key], `Unrecognized key: "${key}"`);
    else add(issue.path, issue.message);
  }
  return fields;
}

/** One readable sentence instead of the raw issue list (which would leak patterns and internals). */
const validationMessage = (fields: Record<string, string[]>) =>
  `Invalid input: ${Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ')}`;

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const fieldErrors = error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : undefined;
    return {
      ...shape,
      message: fieldErrors ? validationMessage(fieldErrors) : shape.message,
      data: {
        ...shape.data,
        appCode: appCodeOf(error),
        // What a form or a retry needs (which field, which prerequisite, when to retry); never internals.
        fieldErrors,
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
