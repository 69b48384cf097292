import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppErrorCode, AppErrorDetails, AppRouter } from './router.js';

export type { AppErrorCode, AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export interface ClientOptions {
  /** The tRPC endpoint, e.g. https://booking.example.org/api/trpc */
  url: string;
  /** Session token to send as `Authorization: Bearer`; the httpOnly cookie is sent regardless. */
  getToken?: () => string | undefined | null | Promise<string | undefined | null>;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

/** The server rejects batches larger than its TRPC_MAX_BATCH_SIZE (default 10). */
const MAX_BATCH_ITEMS = 10;

export function createClient(options: ClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: options.url,
        transformer: superjson,
        maxItems: MAX_BATCH_ITEMS,
        async headers() {
          const token = await options.getToken?.();
          return { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
        fetch: (input, init) => fetchImpl(input, { ...(init as RequestInit), credentials: 'include' }),
      }),
    ],
  });
}

export type Client = ReturnType<typeof createClient>;

type ErrorData = NonNullable<TRPCClientError<AppRouter>['data']>;

/** An API error of one code (or, unnarrowed, of any code), with `data.details` typed for that code. */
export type AppError<C extends AppErrorCode = AppErrorCode> = C extends AppErrorCode
  ? TRPCClientError<AppRouter> & {
      data: Omit<ErrorData, 'appCode' | 'details'> & { appCode: C; details: AppErrorDetails[C] };
    }
  : never;

/**
 * Narrows an unknown error to a typed app error, optionally of one code: after
 * `isAppError(err, 'EXAM_FULL')`, `err.data.details.capacity` is a number. Without a code,
 * `err.data.appCode` discriminates the details.
 */
export function isAppError<C extends AppErrorCode = AppErrorCode>(err: unknown, code?: C): err is AppError<C> {
  if (!(err instanceof TRPCClientError)) return false;
  const appCode = (err.data as { appCode?: unknown } | undefined)?.appCode;
  return typeof appCode === 'string' && (code === undefined || appCode === code);
}
