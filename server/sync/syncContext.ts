import type { Database } from '../../db/client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createHubSpotClient } from './hubspotClient';
import type { PushContext } from './push/context';

/** What every sync step runs with: our database, the official client on HUBSPOT_API_BASE_URL, settings. */
export function syncContext(deps: { db: Database; config: Config; logger: Logger; token: string }): PushContext {
  const { db, config, logger, token } = deps;
  return { db, client: createHubSpotClient(config.hubspot, token), settings: config.hubspot, logger };
}
