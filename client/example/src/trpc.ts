import type { AppRouter } from '@mocks-booking/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

/** The API base: `?api=` for tests and previews, else VITE_API_URL, else a local server. */
export const apiBaseUrl =
  new URLSearchParams(window.location.search).get('api') ?? import.meta.env.VITE_API_URL ?? 'http://localhost:3000';

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
