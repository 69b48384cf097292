import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import type { Database } from '../db/client';
import type { Config } from './config';
import type { Logger } from './logger';
import type { KeyValueStore } from './redis';

/** What procedures need, independent of HTTP: built directly by tests, jobs and the CLI. */
export interface Dependencies {
  config: Config;
  db: Database;
  kv: KeyValueStore;
  logger: Logger;
}

export type InnerContext = Dependencies & { now: () => Date };

export function createInnerContext(deps: Dependencies): InnerContext {
  return { ...deps, now: () => new Date() };
}

/** Per-request context: the inner one plus the request (for auth headers, cookies, client IP). */
export function createContextFactory(deps: Dependencies) {
  return ({ req, res }: CreateExpressContextOptions) => ({
    ...createInnerContext(deps),
    logger: (req as { log?: Logger }).log ?? deps.logger,
    req,
    res,
  });
}

export type Context = InnerContext & Partial<Pick<CreateExpressContextOptions, 'req' | 'res'>>;
