import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import type { Database, DatabaseHandle, TransactionRunner } from '../db/client';
import { isSessionTokenRevoked } from './auth/revocation';
import { type SessionToken, type StudentSession, sessionTokenOf, verifySessionToken } from './auth/session';
import type { Config } from './config';
import type { Logger } from './logger';
import type { KeyValueStore } from './redis';

/** What procedures need, independent of HTTP: built directly by tests, jobs and the CLI. */
export interface Dependencies {
  config: Config;
  db: Database;
  /** Booking/cancel transactions, on their own bulkhead pool (db/client.ts says why). */
  bookingTransaction: TransactionRunner;
  /**
   * Single-statement bookings (book_seat) on the booking pool, for the same reason; absent (tests,
   * jobs, the CLI) they run on `db`.
   */
  bookingDb?: Database | undefined;
  kv: KeyValueStore;
  logger: Logger;
}

/** The dependencies of a running service: its opened database's handles, Redis, config and logger. */
export function dependenciesOf(opts: {
  config: Config;
  database: DatabaseHandle;
  kv: KeyValueStore;
  logger: Logger;
}): Dependencies {
  const { config, database, kv, logger } = opts;
  return {
    config,
    db: database.db,
    bookingTransaction: database.bookingTransaction,
    bookingDb: database.bookingDb,
    kv,
    logger,
  };
}

export interface InnerContext extends Dependencies {
  now: () => Date;
  /** The logged-in student, from a verified session token; absent for anonymous calls. */
  user?: StudentSession | undefined;
}

/** A context whose student is known: what student procedures (and their services) run with. */
export type StudentContext = InnerContext & { user: StudentSession };

export function createInnerContext(deps: Dependencies, user?: StudentSession): InnerContext {
  return { ...deps, now: () => new Date(), user };
}

/** Per-request context: the inner one, the student the request's token proves, and the request. */
export function createContextFactory(deps: Dependencies) {
  return async ({ req, res }: Pick<CreateExpressContextOptions, 'req' | 'res'>) => {
    const logger = (req as { log?: Logger }).log ?? deps.logger;
    const raw = sessionTokenOf(req, deps.config.session.cookieName);
    const verified = raw ? await verifySessionToken(raw, deps.config.session) : undefined;
    // A logged-out token reads as no token at all, on every instance (server/auth/revocation.ts).
    const live =
      verified && !(await isSessionTokenRevoked(deps.kv, verified.user.contactId, verified.token, logger))
        ? verified
        : undefined;
    return {
      ...createInnerContext({ ...deps, logger }, live?.user),
      /** The login the request's token belongs to: what auth.logout revokes. */
      sessionToken: live?.token as SessionToken | undefined,
      req,
      res,
    };
  };
}

export type Context = InnerContext &
  Partial<Pick<CreateExpressContextOptions, 'req' | 'res'>> & { sessionToken?: SessionToken | undefined };
