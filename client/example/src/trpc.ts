import type { AppRouter } from '@mocks-booking/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

/**
 * The API base: `?api=` for tests and previews, else VITE_API_URL, else this page's own origin, which
 * `npm run example` proxies to the server (vite.config.ts). Same origin means no CORS and a first-party
 * session cookie, whether the page was opened at localhost, 127.0.0.1 or another name for the machine.
 */
export const apiBaseUrl =
  new URLSearchParams(window.location.search).get('api') ?? import.meta.env.VITE_API_URL ?? window.location.origin;

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
