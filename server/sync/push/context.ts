import type { Client } from '@hubspot/api-client';
import type { Database } from '../../../db/client';
import type { Logger } from '../../logger';
import type { HubSpotSettings } from '../hubspotClient';
import type { HubSpotLimiter } from '../rateLimiter';

/** What every push step needs: our database, the HubSpot client, its settings. */
export interface PushContext {
  db: Database;
  client: Client;
  settings: HubSpotSettings;
  logger: Logger;
  /** The call budget shared by all instances (absent: calls are not limited here). */
  limiter?: HubSpotLimiter | undefined;
}

/** HubSpot's batch endpoints take at most 100 inputs. */
export const BATCH = 100;

export function chunks<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Properties as HubSpot takes them: strings, with unknown (null) values left out. */
export function stringProperties(values: Record<string, string | number | boolean | null | undefined>) {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values))
    if (value !== null && value !== undefined) out[name] = String(value);
  return out;
}
