import type { Database } from '../../db/client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { createHubSpotClient } from './hubspotClient';
import type { PushContext } from './push/context';
import { createHubSpotLimiter, type HubSpotLimiter } from './rateLimiter';

export interface SyncDeps {
  db: Database;
  config: Config;
  logger: Logger;
  token: string;
  /** Where the call budget shared by all instances is counted; without one, this process counts alone. */
  kv?: KeyValueStore | undefined;
}

const limiters = new WeakMap<object, HubSpotLimiter>();
/** One limiter per store (per process without one), so every client of a process shares its budget. */
function limiterFor(deps: SyncDeps): HubSpotLimiter {
  const owner = deps.kv ?? deps.config;
  let limiter = limiters.get(owner);
  if (!limiter) {
    limiter = createHubSpotLimiter(deps.config.hubspot.limits, deps.kv, deps.logger);
    limiters.set(owner, limiter);
  }
  return limiter;
}

/** What every sync step runs with: our database, the official client on HUBSPOT_API_BASE_URL, settings. */
export function syncContext(deps: SyncDeps): PushContext {
  const { db, config, logger, token } = deps;
  return {
    db,
    client: createHubSpotClient(config.hubspot, token),
    settings: config.hubspot,
    logger,
    limiter: limiterFor(deps),
  };
}
